"""`GET /api/status/{instanceId}`: where an approval stands."""

from __future__ import annotations

from bot.approvals import instance_id_from_approval_id
from bot.http_api.responses import ApiResponse, error
from bot.workflow.backend import BackendUnavailable
from bot.workflow.client import WorkflowClient
from bot.workflow.state import Stage


async def approval_status(workflow: WorkflowClient, instance_or_approval_id: str) -> ApiResponse:
    """200 with runtimeStatus, customStatus, output and times; 404 unknown; 400 malformed id."""
    try:
        instance_id = instance_id_from_approval_id(instance_or_approval_id)
    except ValueError:
        return error(400, "instanceId is not a valid instance id", field="instanceId")
    try:
        state = await workflow.state(instance_id)
    except BackendUnavailable:
        return error(503, "the workflow engine is unavailable; try again")
    if state.stage is Stage.UNKNOWN:
        return error(404, f"no approval request with instance id {instance_id}")
    return ApiResponse(200, state.http_json())
