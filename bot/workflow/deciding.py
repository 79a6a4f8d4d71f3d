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

    @property
    def stage(self) -> int | None:
        """The policy stage the decider saw open; their decision counts for that stage only."""
        progress = self.state.progress if self.state is not None else None
        return progress.current if progress is not None else None


@dataclass(frozen=True)
class Gate:
    """What a front end adds to the shared checks."""

    is_approver: Callable[[str], bool]  # the chat's approver list, by account id
    describe: Callable[[RecordedDecision], str]  # a recorded decision, the chat's way
    # For a request whose requester has no account in this chat: may `user` be them after all?
    might_be_requester: Callable[[ApprovalState, Person], Awaitable[bool]] | None = None
    # Under a policy that lists a group (a Slack user group): is `user` in it?
    in_group: Callable[[str, Person], Awaitable[bool]] | None = None


async def _is_approver(gate: Gate, state: ApprovalState, user: Person) -> bool:
    """The chat's approver list, or under a policy the approvers of the stage waiting."""
    progress = state.progress
    if progress is None:
        return gate.is_approver(user.id)
    approvers = progress.approvers
    if approvers.includes(user):
        return True
    if gate.in_group is None:
        return False
    for group in approvers.groups_on(user.platform):
        if await gate.in_group(group, user):
            return True
    return False


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
    if state.is_open and not await _is_approver(gate, state, user):
        return Verdict(instance_id, state, _not_an_approver(state))
    if not state.is_open and state.progress is None and not gate.is_approver(user.id):
        return Verdict(instance_id, state, NOT_AN_APPROVER)
    if not state.is_open:
        return Verdict(instance_id, state, closed_text(state, gate.describe))
    return Verdict(instance_id, state, None)


def _not_an_approver(state: ApprovalState) -> str:
    progress = state.progress
    if progress is None:
        return NOT_AN_APPROVER
    return f"This request is waiting for the {progress.stage_name} approval; only its approvers can decide it now."
