"""Who may decide or cancel a request, the same in every chat: the checks, their order, and the
refusals.

Deciding checks, in order: the id, the instance, the requester, the approver list, the stage.
Cancelling checks the id, the instance, that the clicker is the requester, then the stage. A
refusal changes nothing; each front end shows it its own way (an ephemeral in Slack, the card in
Teams).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.approvals import RecordedDecision, instance_id_from_approval_id
from bot.people import Person
from bot.workflow.client import WorkflowClient
from bot.workflow.state import ApprovalState, Stage, closed_text

NOT_DELIVERED = "Sorry, I couldn't record your decision just now. Please try again."
OWN_REQUEST = "You can't decide your own request; another approver has to."
NOT_AN_APPROVER = "Only the designated approvers can decide requests."
NOT_THE_REQUESTER = "Only the person who made this request can cancel it."
CANCEL_NOT_DELIVERED = "Sorry, I couldn't cancel your request just now. Please try again."


@dataclass(frozen=True)
class Verdict:
    """Either a state that may be decided now, or the text that refuses the click."""

    instance_id: str | None
    state: ApprovalState | None
    refusal: str | None


@dataclass(frozen=True)
class Gate:
    """What a front end adds to the shared checks."""

    is_approver: Callable[[str], bool]  # the chat's approver list, by account id
    describe: Callable[[RecordedDecision], str]  # a recorded decision, the chat's way
    # For a request whose requester has no account in this chat: may `user` be them after all?
    might_be_requester: Callable[[ApprovalState, Person], Awaitable[bool]] | None = None


async def _find(workflow: WorkflowClient, approval_id: str) -> Verdict:
    try:
        instance_id = instance_id_from_approval_id(approval_id)
    except ValueError:
        return Verdict(None, None, "That doesn't carry a valid approval id.")
    state = await workflow.state(instance_id)
    if state.stage is Stage.UNKNOWN:
        return Verdict(instance_id, state, f"I can't find approval {approval_id}. It may have been purged.")
    return Verdict(instance_id, state, None)


async def may_cancel(gate: Gate, workflow: WorkflowClient, approval_id: str, user: Person) -> Verdict:
    """Only the requester's own account may cancel, and only while the request waits; once it is
    settled they are told the recorded outcome."""
    found = await _find(workflow, approval_id)
    state = found.state
    if found.refusal is not None or state is None:
        return found
    if state.requester is None or not state.requester.same_account(user):
        return Verdict(found.instance_id, state, NOT_THE_REQUESTER)
    if not state.is_open:
        return Verdict(found.instance_id, state, closed_text(state, gate.describe))
    return found


async def may_decide(gate: Gate, workflow: WorkflowClient, approval_id: str, user: Person) -> Verdict:
    found = await _find(workflow, approval_id)
    instance_id, state = found.instance_id, found.state
    if found.refusal is not None or state is None:
        return found
    if state.requester is not None and state.requester.same_account(user):
        return Verdict(instance_id, state, OWN_REQUEST)
    unmatched = state.requester is None and state.request is not None and state.is_open
    if unmatched and gate.might_be_requester is not None and await gate.might_be_requester(state, user):
        return Verdict(instance_id, state, OWN_REQUEST + " (Your profile matches the requester's name.)")
    if not gate.is_approver(user.id):
        return Verdict(instance_id, state, NOT_AN_APPROVER)
    if not state.is_open:
        return Verdict(instance_id, state, closed_text(state, gate.describe))
    return Verdict(instance_id, state, None)
