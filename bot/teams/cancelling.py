"""Cancel request, on the requester's confirmation card in their 1:1 chat with the bot.

Only the requester's own Teams account may cancel, and only while the request waits. The click
raises the cancellation and waits for the orchestration to record an outcome, because a decision
or the deadline may have won the race; the card the clicker gets back (it replaces the clicked one)
says what was recorded. The approvers' card is updated in place by the cancel_approval activity.
"""

from __future__ import annotations

from typing import Any

from bot.approvals import Cancellation
from bot.people import Person
from bot.teams import cards
from bot.teams.config import TeamsSettings
from bot.teams.deciding import card_for, closed_text, may_cancel
from bot.workflow.client import WorkflowClient
from bot.workflow.deciding import CANCEL_NOT_DELIVERED, NOT_THE_REQUESTER


async def on_cancel_click(settings: TeamsSettings, workflow: WorkflowClient, data: dict[str, Any],
                          user: Person) -> cards.Card:
    approval_id = str(data.get("approvalId") or "")
    verdict = await may_cancel(settings, workflow, approval_id, user)
    if verdict.refusal == NOT_THE_REQUESTER or verdict.state is None or verdict.state.request is None:
        return cards.text_card(verdict.refusal or "That request can't be cancelled.")
    request, deadline = verdict.state.request, verdict.state.deadline
    if verdict.refusal is not None or verdict.instance_id is None:
        if verdict.state.is_settled:
            return card_for(approval_id, verdict.state, verdict.refusal)
        return cards.started_card(approval_id, request, deadline, verdict.refusal)
    delivered = await workflow.cancel(verdict.instance_id, Cancellation(by=user.label, cancelled_by=user))
    state = await workflow.wait_for_outcome(verdict.instance_id)
    if state.cancelled_by(user) and state.cancellation is not None:
        return cards.cancelled_notice(approval_id, request, state.cancellation, None)
    if state.is_settled:
        return card_for(approval_id, state, closed_text(state))
    if not delivered:
        return cards.started_card(approval_id, request, deadline, CANCEL_NOT_DELIVERED)
    return cards.started_card(approval_id, request, deadline,
                              "Your cancellation was sent. The request will show it once it is recorded.")
