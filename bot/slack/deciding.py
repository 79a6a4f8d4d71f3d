"""Who may decide a request, and what the clicker is told when they may not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.approvals import MAX_APPROVER_LENGTH, instance_id_from_approval_id
from bot.config import SlackSettings
from bot.slack.approval_state import ApprovalState, Stage, load_state


NOT_DELIVERED = "Sorry, I couldn't record your decision just now. Please try again."


@dataclass(frozen=True)
class Verdict:
    """Either a state that may be decided now, or the text that refuses the click."""

    instance_id: str | None
    state: ApprovalState | None
    refusal: str | None


def approver_name(user: dict[str, Any]) -> str:
    """The Slack user as the decision's `approver`: their handle, else their id."""
    name = user.get("username") or user.get("name") or user["id"]
    return str(name)[:MAX_APPROVER_LENGTH]


async def may_decide(settings: SlackSettings, durable_client: Any, approval_id: str, user_id: str) -> Verdict:
    """Checks in order: the id, the instance, the requester, the approver list, the stage."""
    try:
        instance_id = instance_id_from_approval_id(approval_id)
    except ValueError:
        return Verdict(None, None, "That button doesn't carry a valid approval id.")
    state = await load_state(durable_client, instance_id)
    if state.stage is Stage.UNKNOWN:
        return Verdict(instance_id, state, f"I can't find approval `{approval_id}`. It may have been purged.")
    if state.requester_slack_id == user_id:
        return Verdict(instance_id, state, "You can't decide your own request; another approver has to.")
    if not settings.may_approve(user_id):
        return Verdict(instance_id, state, "Only the designated approvers can decide requests.")
    if not state.is_open:
        return Verdict(instance_id, state, state.closed_text())
    return Verdict(instance_id, state, None)
