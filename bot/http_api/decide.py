"""`POST /api/approve/{approvalId}`: deliver one valid decision to a waiting approval."""

from __future__ import annotations

import dataclasses

from bot.approvals import Decision, approval_id_for, instance_id_from_approval_id
from bot.http_api.decision_body import InvalidDecisionBody, parse_decision_body
from bot.http_api.responses import ApiResponse, error
from bot.workflow.client import BackendUnavailable, WorkflowClient
from bot.workflow.state import ApprovalState, Stage


async def decide_approval(workflow: WorkflowClient, approval_id: str, body: bytes) -> ApiResponse:
    """202 delivered; 400 bad id/body (nothing raised); 403 the requester deciding their own;
    404 unknown; 409 already decided or ended."""
    try:
        instance_id = instance_id_from_approval_id(approval_id)
    except ValueError:
        return error(400, "approvalId is not a valid approval id", field="approvalId")
    try:
        decision = parse_decision_body(body)
    except InvalidDecisionBody as invalid:
        return error(400, f"{invalid.field} {invalid.message}", field=invalid.field)
    try:
        return await _deliver(workflow, instance_id, decision)
    except BackendUnavailable:
        return error(503, "the workflow engine is unavailable; try again")


async def _deliver(workflow: WorkflowClient, instance_id: str, decision: Decision) -> ApiResponse:
    state = await workflow.state(instance_id)
    refusal = _refusal(instance_id, state, decision)
    if refusal is not None:
        return refusal
    if state.progress is not None:  # under a policy: this decision is for the stage open now
        decision = dataclasses.replace(decision, stage=state.progress.current)
    if not await workflow.decide(instance_id, decision):  # ended or vanished meanwhile
        state = await workflow.state(instance_id)
        return _refusal(instance_id, state, decision) or error(503, "the workflow engine is unavailable; try again")
    return ApiResponse(
        202,
        {
            "id": instance_id,
            "approvalId": approval_id_for(instance_id),
            "message": "decision delivered",
            "decision": decision.to_payload(),
        },
    )


def _refusal(instance_id: str, state: ApprovalState, decision: Decision) -> ApiResponse | None:
    """Why this decision can't count, or None while it can."""
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
    if state.request is not None and _same_name(state.request.requester, decision.approver):
        return error(403, "the requester can't decide their own request", field="approver", approvalId=approval_id)
    return None


def _same_name(requester: str, approver: str) -> bool:
    return requester.strip().casefold() == approver.strip().casefold()
