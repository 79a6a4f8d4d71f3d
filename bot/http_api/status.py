"""`GET /api/status/{instanceId}`: where an approval stands."""

from __future__ import annotations

from azure.durable_functions import DurableOrchestrationClient

from bot.approvals import instance_id_from_approval_id
from bot.http_api.instances import BackendUnavailable, find_approval, status_body
from bot.http_api.responses import ApiResponse, error


async def approval_status(client: DurableOrchestrationClient, instance_or_approval_id: str) -> ApiResponse:
    """200 with runtimeStatus, customStatus, output and times; 404 unknown; 400 malformed id."""
    try:
        instance_id = instance_id_from_approval_id(instance_or_approval_id)
    except ValueError:
        return error(400, "instanceId is not a valid instance id", field="instanceId")
    try:
        status = await find_approval(client, instance_id)
    except BackendUnavailable:
        return error(503, "the workflow engine is unavailable; try again")
    if status is None:
        return error(404, f"no approval request with instance id {instance_id}")
    return ApiResponse(200, status_body(status))
