"""`POST /api/approve/{approvalId}`: deliver one valid decision to a waiting approval."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.approvals import Decision, approval_id_for
from bot.http_api.decision_body import parse_decision_body
from bot.http_api.delivery import deliver
from bot.http_api.responses import ApiResponse, error
from bot.workflow.client import WorkflowClient
from bot.workflow.state import ApprovalState


async def decide_approval(workflow: WorkflowClient, approval_id: str, body: bytes) -> ApiResponse:
    """202 delivered; 400 bad id/body (nothing raised); 403 the requester deciding their own;
    404 unknown; 409 already decided or ended."""
    return await deliver(workflow, approval_id, body, parse=parse_decision_body, admit=_admit,
                         send=_send, accepted=_accepted)


def _admit(instance_id: str, state: ApprovalState, decision: Decision) -> Decision | ApiResponse:
    """The requester can't decide their own; under a policy the decision is for the stage open now."""
    if state.request is not None and _same_name(state.request.requester, decision.approver):
        return error(403, "the requester can't decide their own request", field="approver",
                     approvalId=approval_id_for(instance_id))
    if state.progress is not None:
        return dataclasses.replace(decision, stage=state.progress.current)
    return decision


async def _send(workflow: WorkflowClient, instance_id: str, decision: Decision) -> bool:
    return await workflow.decide(instance_id, decision)


def _accepted(decision: Decision) -> dict[str, Any]:
    return {"message": "decision delivered", "decision": decision.to_payload()}


def _same_name(requester: str, approver: str) -> bool:
    return requester.strip().casefold() == approver.strip().casefold()
