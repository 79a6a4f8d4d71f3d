"""Approve / Deny on a request card, the deny reason, Back, and Teams refreshing a card.

Approve raises the decision and waits for the orchestration to record it, so the card the clicker
gets back says what was recorded: another click or the deadline may have won the race. Deny first
asks for the reason (required); only "Deny with this reason" decides. A refresh (Teams asking on
its own, when an approver looks at the card) answers the request as it stands, refusing nothing.
Each answer carries the state it was built from, so the bot can tell whether the clicked card is
one the workflow knows (bot.teams.copies).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.approvals import MAX_COMMENTS_LENGTH, Decision, instance_id_from_approval_id
from bot.people import Person
from bot.teams import cards
from bot.teams.config import TeamsSettings
from bot.teams.deciding import card_for, closed_text, may_decide
from bot.workflow.client import WorkflowClient
from bot.workflow.deciding import NOT_DELIVERED
from bot.workflow.state import ApprovalState


@dataclass(frozen=True)
class Answer:
    card: cards.Card
    state: ApprovalState | None = None


async def on_refresh(settings: TeamsSettings, workflow: WorkflowClient, data: dict[str, Any]) -> Answer:
    approval_id = str(data.get("approvalId") or "")
    try:
        instance_id = instance_id_from_approval_id(approval_id)
    except ValueError:
        return Answer(cards.text_card("That doesn't carry a valid approval id."))
    state = await workflow.state(instance_id)
    return Answer(card_for(approval_id, state, None, watchers=settings.approver_ids), state)


async def on_decision_click(settings: TeamsSettings, workflow: WorkflowClient, verb: str, data: dict[str, Any],
                            user: Person) -> Answer:
    approval_id = str(data.get("approvalId") or "")
    watchers = settings.approver_ids
    verdict = await may_decide(settings, workflow, approval_id, user)
    if verdict.refusal is not None or verdict.instance_id is None or verdict.state is None:
        return Answer(card_for(approval_id, verdict.state, verdict.refusal or "That request can't be decided.",
                               watchers=watchers), verdict.state)
    state = verdict.state
    request, deadline = state.request, state.deadline
    if request is None:
        return Answer(cards.text_card("That request can't be read; it can't be decided here."), state)
    if verb == cards.DENY:
        return Answer(cards.deny_reason_card(approval_id, request, deadline), state)
    if verb == cards.BACK:
        return Answer(cards.request_card(approval_id, request, deadline, watchers=watchers), state)
    if verb == cards.APPROVE:
        return await _decide(settings, workflow, verdict.instance_id, approval_id, Decision(
            approved=True, approver=user.label, decided_by=user, stage=verdict.stage), user)
    reason = data.get(cards.REASON_INPUT)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        return Answer(cards.deny_reason_card(approval_id, request, deadline, "Give a reason for denying."), state)
    if len(reason) > MAX_COMMENTS_LENGTH:
        return Answer(cards.deny_reason_card(approval_id, request, deadline,
                                             f"Keep the reason within {MAX_COMMENTS_LENGTH} characters."), state)
    return await _decide(settings, workflow, verdict.instance_id, approval_id, Decision(
        approved=False, approver=user.label, comments=reason, decided_by=user, stage=verdict.stage), user)


async def _decide(settings: TeamsSettings, workflow: WorkflowClient, instance_id: str, approval_id: str,
                  decision: Decision, user: Person) -> Answer:
    delivered = await workflow.decide(instance_id, decision)
    state = await workflow.wait_for_outcome(instance_id, stage=decision.stage)
    if state.decided_by(user, approved=decision.approved):
        notice = None
    elif state.stage_decided_by(user, decision.approved, decision.stage) and state.progress is not None:
        notice = f"Your approval is recorded; the request now waits for the {state.progress.stage_name} stage."
    elif state.is_settled:
        notice = closed_text(state)
    elif not delivered:
        notice = NOT_DELIVERED
    else:
        notice = "Your decision was sent. The card will show it once it is recorded."
    return Answer(card_for(approval_id, state, notice, watchers=settings.approver_ids), state)
