"""Who may decide or cancel a request from Slack, and what a clicker is told when they may not."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals import MAX_APPROVER_LENGTH
from bot.config import SlackSettings
from bot.people import Person
from bot.slack.formatting import summary
from bot.slack.messages import SlackMessage, cancelled, outcome_message
from bot.slack.requester_match import might_be_requester
from bot.slack.web_client import SLACK_CALL_ERRORS
from bot.workflow.client import WorkflowClient
from bot.workflow.deciding import Gate, Verdict
from bot.workflow.deciding import may_cancel as shared_may_cancel
from bot.workflow.deciding import may_decide as shared_may_decide
from bot.workflow.state import ApprovalState, Stage
from bot.workflow.state import closed_text as shared_closed_text

log = logging.getLogger(__name__)


def clicker(user: dict[str, Any]) -> Person:
    """The Slack account behind a click, named by their handle."""
    name = user.get("username") or user.get("name") or user["id"]
    return Person.slack(user["id"], str(name)[:MAX_APPROVER_LENGTH])


async def may_decide(
    settings: SlackSettings, workflow: WorkflowClient, approval_id: str, user: Person, client: AsyncWebClient
) -> Verdict:
    """The shared checks (bot.workflow.deciding), with Slack's approver list and, for a requester
    Slack could not match, the clicker's own profile."""

    async def profile_matches(state: ApprovalState, person: Person) -> bool:
        return state.request is not None and await might_be_requester(client, person.id, state.request.requester)

    async def in_group(group: str, person: Person) -> bool:
        return await in_user_group(client, group, person)

    gate = Gate(is_approver=settings.may_approve, describe=summary, might_be_requester=profile_matches,
                in_group=in_group)
    return await shared_may_decide(gate, workflow, approval_id, user)


async def may_cancel(
    settings: SlackSettings, workflow: WorkflowClient, approval_id: str, user: Person
) -> Verdict:
    """The shared checks for a cancellation: the requester's own Slack account, while it waits."""
    gate = Gate(is_approver=settings.may_approve, describe=summary)
    return await shared_may_cancel(gate, workflow, approval_id, user)


async def in_user_group(client: AsyncWebClient, group: str, person: Person) -> bool:
    """Is this person in a Slack user group an approval policy names? Unknown when Slack can't
    say, which counts as no (a refused click can be repeated)."""
    try:
        response = await client.usergroups_users_list(usergroup=group)
    except SLACK_CALL_ERRORS as error:
        log.warning("usergroups.users.list for %s failed: %s", group, error)
        return False
    users = response.get("users")
    return isinstance(users, list) and person.id in users


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
    if state.stage is Stage.CANCELLED and state.cancellation is not None:
        return cancelled(approval_id, state.request, state.cancellation)
    return None
