"""`POST /api/approve/{approvalId}`: deliver one valid decision to a waiting approval."""

from __future__ import annotations

import logging

from azure.durable_functions import DurableOrchestrationClient

from bot.approvals import (
    DECISION_EVENT,
    Decision,
    InvalidDecision,
    approval_id_for,
    instance_id_from_approval_id,
)
from bot.http_api.instances import (
    ACTIVE_STATUSES,
    BackendUnavailable,
    decided_outcome,
    find_approval,
    runtime_status,
)
from bot.http_api.responses import ApiResponse, error

log = logging.getLogger(__name__)


async def decide_approval(client: DurableOrchestrationClient, approval_id: str, body: bytes) -> ApiResponse:
    """202 delivered; 400 bad id/body (nothing raised); 404 unknown; 409 already decided or ended."""
    try:
        instance_id = instance_id_from_approval_id(approval_id)
    except ValueError:
        return error(400, "approvalId is not a valid approval id", field="approvalId")
    try:
        decision = Decision.from_payload(body)
    except InvalidDecision as invalid:
        return error(400, invalid.message, field="body")
    try:
        return await _deliver(client, instance_id, decision)
    except BackendUnavailable:
        return error(503, "the workflow engine is unavailable; try again")


async def _deliver(client: DurableOrchestrationClient, instance_id: str, decision: Decision) -> ApiResponse:
    status = await find_approval(client, instance_id)
    if status is None:
        return error(404, f"no approval request {approval_id_for(instance_id)}")
    refusal = _refusal(status)
    if refusal is not None:
        return refusal
    try:
        await client.raise_event(instance_id, DECISION_EVENT, decision.to_payload())
    except Exception as exc:  # 410 (ended meanwhile) or 404 arrive as bare Exceptions
        log.info("raising the decision on %s failed: %s", instance_id, exc)
        status = await find_approval(client, instance_id)
        if status is None:
            return error(404, f"no approval request {approval_id_for(instance_id)}")
        return _refusal(status) or error(503, "the workflow engine is unavailable; try again")
    log.info("%s: decision delivered (approved=%s by %s)", approval_id_for(instance_id), decision.approved, decision.approver)
    return ApiResponse(
        202,
        {
            "id": instance_id,
            "approvalId": approval_id_for(instance_id),
            "message": "decision delivered",
            "decision": decision.to_payload(),
        },
    )


def _refusal(status) -> ApiResponse | None:
    """409 once the outcome is fixed or the instance has ended; None while a decision can count."""
    approval_id = approval_id_for(status.instance_id)
    outcome = decided_outcome(status)
    if outcome is not None:
        return error(
            409,
            f"{approval_id} is already {str(outcome.get('status', 'decided')).lower()}",
            approvalId=approval_id,
            outcome=outcome,
        )
    state = runtime_status(status)
    if state not in ACTIVE_STATUSES:
        return error(409, f"{approval_id} has ended ({state})", approvalId=approval_id, runtimeStatus=state)
    return None
