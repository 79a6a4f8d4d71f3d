"""Delivering one word to a waiting approval over HTTP: a decision or the requester's cancellation.

Both share the id and body checks, the refusals of a request that is unknown or already settled,
and the race with the request ending between the check and the event: each word adds only its own
rules (`admit`), how it is sent and what its 202 says.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.approvals import approval_id_for, instance_id_from_approval_id
from bot.http_api.responses import ApiResponse, error
from bot.http_api.word_body import InvalidDecisionBody
from bot.workflow.backend import BackendUnavailable
from bot.workflow.client import WorkflowClient
from bot.workflow.state import ApprovalState, Stage

Word = TypeVar("Word")

# The word to send (possibly adjusted to the request's state), or why it can't count.
Admit = Callable[[str, ApprovalState, Word], "Word | ApiResponse"]
Send = Callable[[WorkflowClient, str, Word], Awaitable[bool]]
Accepted = Callable[[Word], dict[str, Any]]

UNAVAILABLE = "the workflow engine is unavailable; try again"


async def deliver(workflow: WorkflowClient, approval_id: str, body: bytes, *, parse: Callable[[bytes], Word],
                  admit: Admit[Word], send: Send[Word], accepted: Accepted[Word]) -> ApiResponse:
    """400 bad id or body (nothing raised); 404 unknown; 409 settled or ended; the word's own
    refusals; 503 when the engine can't be reached; else 202 with `accepted`'s fields."""
    try:
        instance_id = instance_id_from_approval_id(approval_id)
    except ValueError:
        return error(400, "approvalId is not a valid approval id", field="approvalId")
    try:
        word = parse(body)
    except InvalidDecisionBody as invalid:
        return error(400, f"{invalid.field} {invalid.message}", field=invalid.field)
    try:
        admitted = _admitted(instance_id, await workflow.state(instance_id), word, admit)
        if isinstance(admitted, ApiResponse):
            return admitted
        if not await send(workflow, instance_id, admitted):  # ended or vanished meanwhile
            again = _admitted(instance_id, await workflow.state(instance_id), word, admit)
            return again if isinstance(again, ApiResponse) else error(503, UNAVAILABLE)
    except BackendUnavailable:
        return error(503, UNAVAILABLE)
    return ApiResponse(202, {"id": instance_id, "approvalId": approval_id_for(instance_id), **accepted(admitted)})


def _admitted(instance_id: str, state: ApprovalState, word: Word, admit: Admit[Word]) -> Word | ApiResponse:
    return _settled(instance_id, state) or admit(instance_id, state, word)


def _settled(instance_id: str, state: ApprovalState) -> ApiResponse | None:
    """Why no word can count any more: the request is unknown, has its outcome, or has ended."""
    approval_id = approval_id_for(instance_id)
    if state.stage is Stage.UNKNOWN:
        return error(404, f"no approval request {approval_id}")
    if state.outcome is not None:
        return error(409, f"{approval_id} is already {str(state.outcome.get('status', 'decided')).lower()}",
                     approvalId=approval_id, outcome=state.outcome)
    if not state.is_active:
        return error(409, f"{approval_id} has ended ({state.runtime_status})", approvalId=approval_id,
                     runtimeStatus=state.runtime_status)
    return None
