"""`list` in the 1:1 chat: the requests waiting for you (with Approve / Deny) and your own recent
ones, as one Adaptive Card. A click on a request's button goes through the same checks as on the
request card, and the card the bot answers with (that request, as now decided) replaces the list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.people import Person
from bot.teams import cards
from bot.teams.config import TeamsSettings
from bot.workflow.audit import outcome_status
from bot.workflow.listing import Listing
from bot.workflow.my_approvals import MyApprovals, my_approvals
from bot.workflow.state import ApprovalState, Stage

LIST_WORD = "list"
MAX_WAITING_SHOWN = 15


def wants_list(text: str) -> bool:
    return text.strip().lower().lstrip("/") == LIST_WORD


async def list_card(settings: TeamsSettings, listing: Listing, person: Person) -> cards.Card:
    """Raises BackendUnavailable when the instances cannot be read."""
    mine = await my_approvals(listing, person, is_approver=settings.may_approve, now=datetime.now(UTC))
    return my_approvals_card(mine)


def my_approvals_card(mine: MyApprovals) -> cards.Card:
    body: list[dict[str, Any]] = []
    if mine.may_approve:
        body.append(cards.heading(f"Waiting for you ({len(mine.waiting)})"))
        if not mine.waiting:
            body.append(_line("Nothing is waiting for your decision."))
        for state in mine.waiting[:MAX_WAITING_SHOWN]:
            body.append(_waiting(state))
        if len(mine.waiting) > MAX_WAITING_SHOWN:
            body.append(_line(f"…and {len(mine.waiting) - MAX_WAITING_SHOWN} more, due later."))
    body.append(cards.heading("Your recent requests"))
    if not mine.own:
        body.append(_line("You have made no requests in the last 30 days. Type **expense** to make one."))
    for state in mine.own:
        body.append(_own(state))
    return cards.card(body)


def _waiting(state: ApprovalState) -> dict[str, Any]:
    request = state.request
    assert request is not None  # an open request always has its input
    approval_id = f"approval-{state.instance_id}"
    items: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": cards.money(request.amount), "weight": "Bolder", "wrap": True},
        cards.plain(f"{request.description} (from {cards.who(state.requester, request.requester)})"),
    ]
    if state.deadline is not None:
        items.append({"type": "TextBlock", "text": f"Decide by {cards.when(state.deadline)}", "wrap": True,
                      "isSubtle": True})
    data = {"approvalId": approval_id}
    items.append({"type": "ActionSet", "actions": [
        cards.execute("Approve", cards.APPROVE, data, "positive"),
        cards.execute("Deny", cards.DENY, data, "destructive")]})
    return {"type": "Container", "separator": True, "items": items}


def _own(state: ApprovalState) -> dict[str, Any]:
    request = state.request
    head = (f"{cards.money(request.amount)}: {request.description}" if request is not None
            else f"approval-{state.instance_id}")
    return {"type": "Container", "separator": True, "items": [cards.plain(head), _where(state)]}


def _where(state: ApprovalState) -> dict[str, Any]:
    """Where the request stands; names people typed go in plain text, never markdown."""
    if state.stage is Stage.OPEN:  # a TextBlock: DATE/TIME show in the reader's timezone
        return _line("Waiting for a decision" + (f", decide by {cards.when(state.deadline)}" if state.deadline else ""))
    if state.stage is Stage.DECIDED and state.decision is not None:
        return cards.plain(f"{state.decision.verb} by {state.decision.approver}")
    if state.stage is Stage.ESCALATED:
        return cards.plain("Escalated to senior management: nobody decided in time")
    if state.stage is Stage.CANCELLED:
        return cards.plain("Cancelled by you")
    if state.stage is Stage.DECIDING:
        return cards.plain("Decided; the decision is being recorded")
    return cards.plain(outcome_status(state) or "Closed without a decision")


def _line(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True}
