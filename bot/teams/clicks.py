"""Approve / Deny on a request card, the deny reason, and Back.

Approve raises the decision and waits for the orchestration to record it, so the card the clicker
gets back says what was recorded: another click or the deadline may have won the race. Deny first
asks for the reason (required); only "Deny with this reason" decides.
"""

from __future__ import annotations

from typing import Any

from bot.approvals import MAX_COMMENTS_LENGTH, Decision
from bot.people import Person
from bot.teams import cards
from bot.teams.config import TeamsSettings
from bot.teams.deciding import card_for, closed_text, may_decide
from bot.workflow.client import WorkflowClient
from bot.workflow.deciding import NOT_DELIVERED


async def on_decision_click(settings: TeamsSettings, workflow: WorkflowClient, verb: str, data: dict[str, Any],
                            user: Person) -> cards.Card:
    approval_id = str(data.get("approvalId") or "")
    verdict = await may_decide(settings, workflow, approval_id, user)
    if verdict.refusal is not None or verdict.instance_id is None or verdict.state is None:
        return card_for(approval_id, verdict.state, verdict.refusal or "That request can't be decided.")
    request, deadline = verdict.state.request, verdict.state.deadline
    if request is None:
        return cards.text_card("That request can't be read; it can't be decided here.")
    if verb == cards.DENY:
        return cards.deny_reason_card(approval_id, request, deadline)
    if verb == cards.BACK:
        return cards.request_card(approval_id, request, deadline)
    if verb == cards.APPROVE:
        return await _decide(workflow, verdict.instance_id, approval_id, Decision(
            approved=True, approver=user.label, decided_by=user, stage=verdict.stage), user)
    reason = data.get(cards.REASON_INPUT)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        return cards.deny_reason_card(approval_id, request, deadline, "Give a reason for denying.")
    if len(reason) > MAX_COMMENTS_LENGTH:
        return cards.deny_reason_card(approval_id, request, deadline,
                                      f"Keep the reason within {MAX_COMMENTS_LENGTH} characters.")
    return await _decide(workflow, verdict.instance_id, approval_id, Decision(
        approved=False, approver=user.label, comments=reason, decided_by=user, stage=verdict.stage), user)


async def _decide(workflow: WorkflowClient, instance_id: str, approval_id: str, decision: Decision,
                  user: Person) -> cards.Card:
    delivered = await workflow.decide(instance_id, decision)
    state = await workflow.wait_for_outcome(instance_id, stage=decision.stage)
    if state.decided_by(user, approved=decision.approved):
        return card_for(approval_id, state, None)
    progress = state.progress
    if state.stage_decided_by(user, decision.approved, decision.stage) and progress is not None:
        return card_for(approval_id, state, f"Your approval is recorded; the request now waits for the "
                                            f"{progress.stage_name} stage.")
    if state.is_settled:
        return card_for(approval_id, state, closed_text(state))
    if not delivered:
        return card_for(approval_id, state, NOT_DELIVERED)
    return card_for(approval_id, state, "Your decision was sent. The card will show it once it is recorded.")
