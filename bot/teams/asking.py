"""Asking for approval in Teams: `expense 120 Team lunch`, or `expense` alone for the form.

In a 1:1 chat the bot reads every message; in a channel or group chat only those that @mention
it (Teams delivers no others). Mistakes get a readable answer that only the person who typed
sees: in the 1:1 chat itself, or in their 1:1 chat with the bot when they asked in a channel.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import datetime
from typing import Any

from bot.approvals import MAX_DESCRIPTION_LENGTH, ApprovalRequest, InvalidRequest
from bot.expense_text import ParseError, parse_amount, parse_expense_command, wants_form
from bot.people import TEAMS, Person
from bot.teams import cards
from bot.workflow.backend import BackendUnavailable
from bot.workflow.client import WorkflowClient

log = logging.getLogger(__name__)

COMMAND = "expense"
HELP = ("Type **expense 120 Team lunch** to ask for approval of an expense "
        "(amount in US dollars, then what it is for), **expense** alone for a form, "
        "or **list** to see what waits for you and your own requests.")
UNAVAILABLE = "Sorry, I couldn't start your request just now. Please try again in a moment."

_TAGS = re.compile(r"<[^>]+>")


def message_text(raw: str | None) -> str:
    """What the person typed, without the markup Teams adds (mentions are removed before)."""
    return " ".join(html.unescape(_TAGS.sub(" ", raw or "")).split())


def command_argument(text: str) -> str | None:
    """`expense 120 Team lunch` -> `120 Team lunch`; None when the message is not the command."""
    word, _, rest = text.partition(" ")
    return rest.strip() if word.lstrip("/").lower() == COMMAND else None


def request_from(requester: Person, amount: float, description: str, timeout_seconds: int | None = None
                 ) -> ApprovalRequest:
    extra: dict[str, Any] = {} if timeout_seconds is None else {"timeout_seconds": timeout_seconds}
    return ApprovalRequest(amount=amount, requester=requester.label, requester_account=requester,
                           description=description, origin=TEAMS, front_ends=(TEAMS,), **extra)


async def start(workflow: WorkflowClient, request: ApprovalRequest) -> tuple[str, datetime]:
    started = await workflow.start(request)
    return started.approval_id, started.deadline


def form_errors(data: dict[str, Any]) -> tuple[dict[str, str], dict[str, str], tuple[float, str, int] | None]:
    """The form's values, its mistakes by field, and (amount, description, seconds) when none."""
    values = {key: str(data.get(key) or "") for key in (cards.AMOUNT_INPUT, cards.DESCRIPTION_INPUT,
                                                        cards.DEADLINE_INPUT)}
    errors: dict[str, str] = {}
    amount = 0.0
    try:
        amount = parse_amount(values[cards.AMOUNT_INPUT]) if values[cards.AMOUNT_INPUT].strip() else 0.0
        if not values[cards.AMOUNT_INPUT].strip():
            errors[cards.AMOUNT_INPUT] = "Enter the amount, like 120 or $1,250.50."
    except ParseError as error:
        errors[cards.AMOUNT_INPUT] = str(error)
    description = values[cards.DESCRIPTION_INPUT].strip()
    if not description:
        errors[cards.DESCRIPTION_INPUT] = "Say what the expense is for."
    elif len(description) > MAX_DESCRIPTION_LENGTH:
        errors[cards.DESCRIPTION_INPUT] = f"Keep it within {MAX_DESCRIPTION_LENGTH} characters."
    choices = {str(seconds): seconds for _, seconds in cards.DEADLINE_CHOICES}
    seconds = choices.get(values[cards.DEADLINE_INPUT].strip())
    if seconds is None:
        errors[cards.DEADLINE_INPUT] = "Pick one of the listed deadlines."
    if errors or seconds is None:
        return values, errors, None
    return values, errors, (amount, description, seconds)


async def on_form(workflow: WorkflowClient, requester: Person, data: dict[str, Any]) -> cards.Card:
    """The form's "Send for approval": the form again with its mistakes, or the confirmation."""
    values, errors, parsed = form_errors(data)
    if parsed is None:
        return cards.new_request_form(values, errors)
    amount, description, seconds = parsed
    try:
        request = request_from(requester, amount, description, seconds)
        approval_id, deadline = await start(workflow, request)
    except InvalidRequest as invalid:
        return cards.new_request_form(values, {cards.DESCRIPTION_INPUT: invalid.message})
    except BackendUnavailable:
        return cards.new_request_form(values, {cards.AMOUNT_INPUT: UNAVAILABLE})
    return cards.started_card(approval_id, request, deadline)


async def on_command(workflow: WorkflowClient, requester: Person, text: str) -> cards.Card | str | None:
    """The answer to a message: a card or a text; None when the message is not for the bot."""
    argument = command_argument(text)
    if argument is None:
        return HELP
    if wants_form(argument):
        return cards.new_request_form()
    try:
        command = parse_expense_command(argument)
        request = request_from(requester, command.amount, command.description)
    except ParseError as error:
        return f"{error} {HELP}"
    except InvalidRequest as invalid:
        return f"That request can't be sent: {invalid.message}."
    try:
        approval_id, deadline = await start(workflow, request)
    except BackendUnavailable:
        return UNAVAILABLE
    return cards.started_card(approval_id, request, deadline)
