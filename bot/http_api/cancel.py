"""`POST /api/cancel/{approvalId}`: the requester withdraws a request that still waits."""

from __future__ import annotations

from bot.approvals import Cancellation, approval_id_for, instance_id_from_approval_id
from bot.http_api.cancel_body import parse_cancel_body
from bot.http_api.decision_body import InvalidDecisionBody
from bot.http_api.responses import ApiResponse, error
from bot.people import HTTP_API
from bot.workflow.client import BackendUnavailable, WorkflowClient
from bot.workflow.state import ApprovalState, Stage


async def cancel_approval(workflow: WorkflowClient, approval_id: str, body: bytes) -> ApiResponse:
    """202 delivered; 400 bad id/body (nothing raised); 403 not the requester, or a request made in
    a chat; 404 unknown; 409 already decided, escalated, cancelled or ended."""
    try:
        instance_id = instance_id_from_approval_id(approval_id)
    except ValueError:
        return error(400, "approvalId is not a valid approval id", field="approvalId")
    try:
        cancellation = parse_cancel_body(body)
    except InvalidDecisionBody as invalid:
        return error(400, f"{invalid.field} {invalid.message}", field=invalid.field)
    try:
        return await _deliver(workflow, instance_id, cancellation)
    except BackendUnavailable:
        return error(503, "the workflow engine is unavailable; try again")


async def _deliver(workflow: WorkflowClient, instance_id: str, cancellation: Cancellation) -> ApiResponse:
    state = await workflow.state(instance_id)
    refusal = _refusal(instance_id, state, cancellation)
    if refusal is not None:
        return refusal
    if not await workflow.cancel(instance_id, cancellation):  # ended or vanished meanwhile
        state = await workflow.state(instance_id)
        return _refusal(instance_id, state, cancellation) or error(503, "the workflow engine is unavailable; try again")
    return ApiResponse(202, {
        "id": instance_id,
        "approvalId": approval_id_for(instance_id),
        "message": "cancellation delivered",
        "cancellation": cancellation.to_payload(),
    })


def _refusal(instance_id: str, state: ApprovalState, cancellation: Cancellation) -> ApiResponse | None:
    """Why this cancellation can't count, or None while it can."""
    approval_id = approval_id_for(instance_id)
    if state.stage is Stage.UNKNOWN:
        return error(404, f"no approval request {approval_id}")
    if state.outcome is not None:
        return error(
            409,
            f"{approval_id} is already {str(state.outcome.get('status', 'decided')).lower()}",
            approvalId=approval_id,
            outcome=state.outcome,
        )
    if not state.is_active:
        return error(409, f"{approval_id} has ended ({state.runtime_status})", approvalId=approval_id,
                     runtimeStatus=state.runtime_status)
    request = state.request
    if request is not None and request.origin != HTTP_API:
        return error(403, f"{approval_id} was made in {request.origin.capitalize()}; only its requester can cancel it "
                          "there", field="requester", approvalId=approval_id)
    if request is None or not cancellation.is_by_requester(request, state.requester):
        return error(403, "only the requester can cancel a request; requester must name them as the request did",
                     field="requester", approvalId=approval_id)
    return None
