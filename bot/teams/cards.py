"""Adaptive Cards for Teams: the request with Approve / Deny, its outcomes, the forms, the notices.

Everything a person typed (description, names, reasons) goes into a TextRun, which Teams shows
as plain text: markdown such as `[link](url)` or `**bold**` stays inert. Dates use the card
language's DATE/TIME functions, so every reader sees them in their own timezone.
Buttons are Action.Execute (Universal Actions): a click arrives as an `adaptiveCard/action`
invoke and the card the bot answers with replaces the clicked one in place. An open request card
also asks Teams to refresh it when an approver looks at it (`refresh`), so any copy of it, even one
the workflow never recorded, shows the request as it stands.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from bot.approvals import ApprovalRequest, RecordedCancellation, RecordedDecision, utc_timestamp
from bot.people import Person

CARD_VERSION = "1.4"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"

APPROVE = "approve"
DENY = "deny"
DENY_WITH_REASON = "denyWithReason"
BACK = "back"
CANCEL = "cancelRequest"
NEW_EXPENSE = "newExpense"
REFRESH = "refresh"
# Teams refreshes a card by itself for at most 60 listed users; without a list, for everyone in a
# conversation of up to 60 members (others get "Refresh card" in the card's menu).
MAX_REFRESH_USERS = 60

REASON_INPUT = "reason"
AMOUNT_INPUT = "amount"
DESCRIPTION_INPUT = "description"
DEADLINE_INPUT = "deadline"

DEADLINE_CHOICES = (("10 minutes", 10 * 60), ("1 hour", 60 * 60), ("1 day", 24 * 60 * 60),
                    ("3 days", 3 * 24 * 60 * 60))
DEFAULT_DEADLINE = str(DEADLINE_CHOICES[0][1])

MAX_SHOWN = 500  # characters of typed text on a card


Card = dict[str, Any]


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> Card:
    result: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": CARD_VERSION, "body": body}
    if actions:
        result["actions"] = actions
    return result


# --- pieces ----------------------------------------------------------------------------------------


def plain(text: str, **style: Any) -> dict[str, Any]:
    """Typed text shown as is (a TextRun is never read as markdown)."""
    shown = text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": shown, **style}]}


def heading(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "weight": "Bolder", "size": "Medium", "wrap": True}


def when(moment: datetime) -> str:
    """A time every reader sees in their own timezone (TextBlock only)."""
    stamp = utc_timestamp(moment)
    return f"{{{{DATE({stamp}, SHORT)}}}} {{{{TIME({stamp})}}}}"


def money(amount: float | None) -> str:
    return "no amount given" if amount is None else f"${amount:,.2f}"


def who(account: Person | None, fallback: str) -> str:
    return account.label if account is not None else fallback


def facts(request: ApprovalRequest) -> dict[str, Any]:
    """Requester, amount and type as a FactSet (facts are plain text in Teams)."""
    return {"type": "FactSet", "facts": [
        {"title": "Requested by", "value": _inert(who(request.requester_account, request.requester))},
        {"title": "Amount", "value": money(request.amount)},
        {"title": "Type", "value": request.display_type},
    ]}


def month_to_date(request: ApprovalRequest) -> list[dict[str, Any]]:
    """The requester's Approved spend this month before this request, when it was read at start."""
    if request.month_to_date is None:
        return []
    return [{"type": "TextBlock", "text": f"Month to date: {money(request.month_to_date)} approved for this requester",
             "isSubtle": True, "wrap": True}]


def _inert(text: str) -> str:
    """FactSet values accept a little markdown; break its markers so typed text stays text."""
    return "".join("\u200b" + ch if ch in "*_[]()`#>~" else ch for ch in text[:MAX_SHOWN])


def description(request: ApprovalRequest) -> list[dict[str, Any]]:
    return [plain(request.description)] if request.description.strip() else []


def note(text: str, color: str = "Attention") -> dict[str, Any]:
    """A line for the clicker (refusals, outcomes); may name people, so plain text."""
    return plain(text, color=color, weight="Bolder")


def footer(approval_id: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": approval_id, "isSubtle": True, "size": "Small", "wrap": True}


def execute(title: str, verb: str, data: dict[str, Any], style: str | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "Action.Execute", "title": title, "verb": verb, "data": data}
    if style:
        action["style"] = style
    return action


# --- the request and its outcomes ------------------------------------------------------------------


def request_card(approval_id: str, request: ApprovalRequest, deadline: datetime | None,
                 notice: str | None = None, *, watchers: Collection[str] = ()) -> Card:
    """What approvers see: the request with Approve / Deny. Teams refreshes it for `watchers` (the
    approvers) when they look at it, so a copy nobody updated still shows the outcome to them."""
    body = [note(notice)] if notice else []
    body += [heading(f"Expense approval: {money(request.amount)}"), facts(request), *month_to_date(request),
             *description(request)]
    if deadline is not None:
        body.append({"type": "TextBlock", "text": f"Decide by {when(deadline)}", "wrap": True})
    body.append(footer(approval_id))
    data = {"approvalId": approval_id}
    result = card(body, [execute("Approve", APPROVE, data, "positive"), execute("Deny", DENY, data, "destructive")])
    result["refresh"] = refresh(approval_id, watchers)
    return result


def refresh(approval_id: str, watchers: Collection[str]) -> dict[str, Any]:
    """The card's `refresh`: an Action.Execute Teams sends by itself when a listed user sees the card."""
    clause: dict[str, Any] = {"action": execute("Refresh", REFRESH, {"approvalId": approval_id})}
    if watchers:
        clause["userIds"] = sorted(watchers)[:MAX_REFRESH_USERS]
    return clause


def deny_reason_card(approval_id: str, request: ApprovalRequest, deadline: datetime | None,
                     error: str | None = None) -> Card:
    """Deny asks for the reason first; it is required."""
    body = [heading(f"Deny {money(request.amount)}?"), facts(request), *month_to_date(request),
            *description(request)]
    if deadline is not None:
        body.append({"type": "TextBlock", "text": f"Decide by {when(deadline)}", "wrap": True})
    body.append({"type": "Input.Text", "id": REASON_INPUT, "label": "Reason for denying", "isMultiline": True,
                 "isRequired": True, "maxLength": 2000, "errorMessage": "Give a reason for denying."})
    if error:
        body.append(note(error))
    body.append(footer(approval_id))
    data = {"approvalId": approval_id}
    return card(body, [execute("Deny with this reason", DENY_WITH_REASON, data, "destructive"),
                       execute("Back", BACK, data)])


def decided_card(approval_id: str, request: ApprovalRequest, decision: RecordedDecision,
                 notice: str | None = None) -> Card:
    """The request once decided: the outcome, who, when, no buttons."""
    body = [note(notice, "Default")] if notice else []
    body += [heading(f"{decision.verb}: {money(request.amount)}"), facts(request), *description(request)]
    decided = f"{decision.verb} by "
    line = plain(decided + who(decision.decided_by, decision.approver),
                 color="Good" if decision.approved else "Attention", weight="Bolder")
    body.append(line)
    if decision.decided_at is not None:
        body.append({"type": "TextBlock", "text": f"on {when(decision.decided_at)}", "wrap": True, "isSubtle": True})
    if decision.comments.strip():
        body += [{"type": "TextBlock", "text": "Reason" if not decision.approved else "Comments",
                  "weight": "Bolder", "wrap": True}, plain(decision.comments)]
    body.append(footer(approval_id))
    return card(body)


def cancelled_card(approval_id: str, request: ApprovalRequest, cancellation: RecordedCancellation,
                   notice: str | None = None) -> Card:
    """The request once its requester cancelled it: who, when, why, no buttons."""
    body = [note(notice, "Default")] if notice else []
    body += [heading(f"Cancelled: {money(request.amount)}"), facts(request), *description(request),
             *_cancelled_lines(cancellation), footer(approval_id)]
    return card(body)


def _cancelled_lines(cancellation: RecordedCancellation) -> list[dict[str, Any]]:
    lines = [plain(f"Cancelled by {who(cancellation.cancelled_by, cancellation.by)}", color="Warning",
                   weight="Bolder")]
    if cancellation.cancelled_at is not None:
        lines.append({"type": "TextBlock", "text": f"on {when(cancellation.cancelled_at)}", "wrap": True,
                      "isSubtle": True})
    if cancellation.reason.strip():
        lines += [{"type": "TextBlock", "text": "Reason", "weight": "Bolder", "wrap": True},
                  plain(cancellation.reason)]
    return lines


def expired_card(approval_id: str, request: ApprovalRequest, deadline: datetime | None,
                 notice: str | None = None) -> Card:
    """The request once its deadline passed: expired, escalated, no buttons."""
    body = [note(notice, "Default")] if notice else []
    body += [heading(f"Expired: {money(request.amount)}"), facts(request), *description(request)]
    text = "Nobody decided in time"
    if deadline is not None:
        text += f" (deadline {when(deadline)})"
    body += [{"type": "TextBlock", "text": text + "; escalated to senior management.", "wrap": True,
              "color": "Warning", "weight": "Bolder"}, footer(approval_id)]
    return card(body)


def escalation_card(approval_id: str, request: ApprovalRequest, deadline: datetime, reason: str,
                    link: str | None) -> Card:
    """What senior management sees for a request nobody decided."""
    body = [heading(f"Escalated: {money(request.amount)}"), facts(request), *description(request),
            {"type": "TextBlock", "text": f"{reason} (deadline {when(deadline)}).", "wrap": True},
            footer(approval_id)]
    return card(body, [_open("Open the original request", link)] if link else None)


def _open(title: str, link: str) -> dict[str, Any]:
    return {"type": "Action.OpenUrl", "title": title, "url": link}


# --- what the requester sees -----------------------------------------------------------------------


def _which(request: ApprovalRequest) -> str:
    return f"Your request for {money(request.amount)}"


def decision_notice(approval_id: str, request: ApprovalRequest, decision: RecordedDecision,
                    link: str | None) -> Card:
    body = [heading(f"{_which(request)} was {decision.verb.lower()}"), *description(request),
            plain(f"{decision.verb} by {who(decision.decided_by, decision.approver)}")]
    if decision.comments.strip():
        body += [{"type": "TextBlock", "text": "Reason" if not decision.approved else "Comments",
                  "weight": "Bolder", "wrap": True}, plain(decision.comments)]
    body.append(footer(approval_id))
    return card(body, [_open("Open the request", link)] if link else None)


def escalation_notice(approval_id: str, request: ApprovalRequest, deadline: datetime, link: str | None) -> Card:
    body = [heading(f"{_which(request)} was escalated"), *description(request),
            {"type": "TextBlock", "text": f"Nobody decided it by {when(deadline)}; it went to senior management.",
             "wrap": True}, footer(approval_id)]
    return card(body, [_open("Open the request", link)] if link else None)


def cancelled_notice(approval_id: str, request: ApprovalRequest, cancellation: RecordedCancellation,
                     link: str | None) -> Card:
    body = [heading(f"{_which(request)} was cancelled"), *description(request), *_cancelled_lines(cancellation),
            {"type": "TextBlock", "text": "The approvers can no longer decide it.", "wrap": True},
            footer(approval_id)]
    return card(body, [_open("Open the request", link)] if link else None)


def started_card(approval_id: str, request: ApprovalRequest, deadline: datetime | None,
                 notice: str | None = None) -> Card:
    """The requester's confirmation, with Cancel request while it waits."""
    body = [note(notice, "Default")] if notice else []
    body += [heading(f"Sent for approval: {money(request.amount)}"), *description(request)]
    if deadline is not None:
        body.append({"type": "TextBlock", "text": f"The approvers have until {when(deadline)}.", "wrap": True})
    body.append(footer(approval_id))
    return card(body, [execute("Cancel request", CANCEL, {"approvalId": approval_id})])


# --- the new-request form ----------------------------------------------------------------------------


def new_request_form(values: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> Card:
    """`expense` alone: amount, description, deadline; mistakes are shown under their field."""
    values = values or {}
    errors = errors or {}

    def field(element: dict[str, Any]) -> list[dict[str, Any]]:
        error = errors.get(element["id"])
        return [element, note(error)] if error else [element]

    body = [heading("New expense request")]
    body += field({"type": "Input.Text", "id": AMOUNT_INPUT, "label": "Amount (US dollars)", "isRequired": True,
                   "placeholder": "e.g. 120 or $1,250.50", "maxLength": 40,
                   "errorMessage": "Enter the amount.", "value": values.get(AMOUNT_INPUT, "")})
    body += field({"type": "Input.Text", "id": DESCRIPTION_INPUT, "label": "What is it for?", "isRequired": True,
                   "isMultiline": True, "maxLength": 2000, "errorMessage": "Say what the expense is for.",
                   "value": values.get(DESCRIPTION_INPUT, "")})
    body += field({"type": "Input.ChoiceSet", "id": DEADLINE_INPUT, "label": "Approvers have",
                   "style": "compact", "isRequired": True,
                   "value": values.get(DEADLINE_INPUT) or DEFAULT_DEADLINE,
                   "choices": [{"title": title, "value": str(seconds)} for title, seconds in DEADLINE_CHOICES]})
    return card(body, [execute("Send for approval", NEW_EXPENSE, {})])


def text_card(text: str) -> Card:
    """A short answer as a card (used where Teams expects a card in an invoke response)."""
    return card([plain(text)])
