"""Who may decide a request from Slack, and what a clicker is told when they may not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals import MAX_APPROVER_LENGTH, instance_id_from_approval_id
from bot.config import SlackSettings
from bot.people import Person
from bot.slack.formatting import summary
from bot.slack.messages import SlackMessage, outcome_message
from bot.slack.requester_match import might_be_requester
from bot.workflow.client import WorkflowClient
from bot.workflow.state import ApprovalState, Stage
from bot.workflow.state import closed_text as shared_closed_text

NOT_DELIVERED = "Sorry, I couldn't record your decision just now. Please try again."
OWN_REQUEST = "You can't decide your own request; another approver has to."


@dataclass(frozen=True)
class Verdict:
    """Either a state that may be decided now, or the text that refuses the click."""

    instance_id: str | None
    state: ApprovalState | None
    refusal: str | None


def clicker(user: dict[str, Any]) -> Person:
    """The Slack account behind a click, named by their handle."""
    name = user.get("username") or user.get("name") or user["id"]
    return Person.slack(user["id"], str(name)[:MAX_APPROVER_LENGTH])


async def may_decide(
    settings: SlackSettings, workflow: WorkflowClient, approval_id: str, user: Person, client: AsyncWebClient
) -> Verdict:
    """Checks in order: the id, the instance, the requester, the approver list, the stage."""
    try:
        instance_id = instance_id_from_approval_id(approval_id)
    except ValueError:
        return Verdict(None, None, "That button doesn't carry a valid approval id.")
    state = await workflow.state(instance_id)
    if state.stage is Stage.UNKNOWN:
        return Verdict(instance_id, state, f"I can't find approval `{approval_id}`. It may have been purged.")
    if state.requester is not None and state.requester.same_account(user):
        return Verdict(instance_id, state, OWN_REQUEST)
    unmatched = state.requester is None and state.request is not None and state.is_open
    if unmatched and state.request and await might_be_requester(client, user.id, state.request.requester):
        return Verdict(instance_id, state, OWN_REQUEST + " (Your Slack profile matches the requester's name.)")
    if not settings.may_approve(user.id):
        return Verdict(instance_id, state, "Only the designated approvers can decide requests.")
    if not state.is_open:
        return Verdict(instance_id, state, closed_text(state))
    return Verdict(instance_id, state, None)


def closed_text(state: ApprovalState) -> str:
    """What to tell someone who clicks when the request is no longer open."""
    return shared_closed_text(state, summary)


def settled_message(approval_id: str, state: ApprovalState | None) -> SlackMessage | None:
    """The request message as it must read once settled, when there is one to show."""
    if state is None or not state.is_settled or state.request is None:
        return None
    if state.stage is Stage.DECIDED:
        return outcome_message(approval_id, state.request, state.decision, None)
    if state.stage is Stage.ESCALATED:
        return outcome_message(approval_id, state.request, None, state.deadline)
    return None
