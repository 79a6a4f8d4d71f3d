"""`POST /api/cancel/{approvalId}`: the requester withdraws a request that still waits."""

from __future__ import annotations

from typing import Any

from bot.approvals import Cancellation, approval_id_for
from bot.http_api.cancel_body import parse_cancel_body
from bot.http_api.delivery import deliver
from bot.http_api.responses import ApiResponse, error
from bot.people import HTTP_API
from bot.workflow.client import WorkflowClient
from bot.workflow.state import ApprovalState


async def cancel_approval(workflow: WorkflowClient, approval_id: str, body: bytes) -> ApiResponse:
    """202 delivered; 400 bad id/body (nothing raised); 403 not the requester, or a request made in
    a chat; 404 unknown; 409 already decided, escalated, cancelled or ended."""
    return await deliver(workflow, approval_id, body, parse=parse_cancel_body, admit=_admit,
                         send=_send, accepted=_accepted)


def _admit(instance_id: str, state: ApprovalState, cancellation: Cancellation) -> Cancellation | ApiResponse:
    """Only the requester, and only of a request made over HTTP: a chat request is cancelled there."""
    approval_id = approval_id_for(instance_id)
    request = state.request
    if request is not None and request.origin != HTTP_API:
        return error(403, f"{approval_id} was made in {request.origin.capitalize()}; only its requester can cancel it "
                          "there", field="requester", approvalId=approval_id)
    if request is None or not cancellation.is_by_requester(request, state.requester):
        return error(403, "only the requester can cancel a request; requester must name them as the request did",
                     field="requester", approvalId=approval_id)
    return cancellation


async def _send(workflow: WorkflowClient, instance_id: str, cancellation: Cancellation) -> bool:
    return await workflow.cancel(instance_id, cancellation)


def _accepted(cancellation: Cancellation) -> dict[str, Any]:
    return {"message": "cancellation delivered", "cancellation": cancellation.to_payload()}
