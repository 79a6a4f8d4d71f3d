"""`/expense`: start a request from one line, open the form, or (`/expense list`) show privately
what waits for you and your own recent requests, as the App Home tab does."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals import DEFAULT_TIMEOUT_SECONDS, ApprovalRequest, InvalidRequest
from bot.config import SlackSettings
from bot.expense_text import ParseError, parse_expense_command, wants_form
from bot.people import SLACK, Person
from bot.slack import messages
from bot.slack.formatting import escape
from bot.slack.home import list_message
from bot.slack.home_tab import mine_for
from bot.slack.modals import new_request_modal
from bot.slack.web_client import SLACK_CALL_ERRORS
from bot.workflow.backend import BackendUnavailable
from bot.workflow.client import WorkflowClient
from bot.workflow.listing import Listing

log = logging.getLogger(__name__)

COMMAND = "/expense"
USAGE = (
    "Usage: `/expense <amount> <what it is for>`, for example `/expense 5000 Conference attendance` "
    "or `/expense $1,250.50 Team dinner`. Type `/expense` alone to open a form, "
    "`/expense list` to see what waits for you."
)
LIST_WORD = "list"


def register(app: Any) -> None:
    app.command(COMMAND)(expense_command)


async def expense_command(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, workflow: WorkflowClient,
    slack_settings: SlackSettings, listing: Listing,
) -> None:
    text = typed_text(command.get("text") or "")
    if text.strip().lower() == LIST_WORD:
        await _list(ack, client, slack_settings, listing, command["user_id"])
        return
    if wants_form(text):
        await _open_form(ack, client, command.get("trigger_id"))
        return
    try:
        parsed = parse_expense_command(text)
        request = ApprovalRequest(
            request_type="expense_approval",
            amount=parsed.amount,
            requester=command.get("user_name") or command["user_id"],
            requester_account=Person.slack(command["user_id"], command.get("user_name") or ""),
            origin=SLACK,
            front_ends=(SLACK,),
            description=parsed.description,
            timeout_seconds=DEFAULT_TIMEOUT_SECONDS,
        )
    except ParseError as error:
        await ack(response_type="ephemeral", text=f"{escape(str(error))}\n{USAGE}")
        return
    except InvalidRequest as error:
        await ack(response_type="ephemeral", text=f"That request can't be made: {escape(error.message)}.\n{USAGE}")
        return
    try:
        started, repeated = await workflow.start_unless_repeated(request)
    except BackendUnavailable:
        log.exception("could not start an approval from /expense")
        await ack(response_type="ephemeral", text="Sorry, I couldn't start that request. Please try again.")
        return
    build = messages.request_repeated if repeated else messages.request_started
    confirmation = build(started.approval_id, request, started.deadline)
    await ack(response_type="ephemeral", text=confirmation.text, blocks=confirmation.blocks)


def typed_text(text: str) -> str:
    """What the person typed: Slack sends `&`, `<` and `>` in command text as entities."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def _list(ack: AsyncAck, client: AsyncWebClient, settings: SlackSettings, listing: Listing, user_id: str) -> None:
    try:
        mine = await mine_for(client, settings, listing, user_id)
    except BackendUnavailable:
        await ack(response_type="ephemeral", text="Sorry, I couldn't read the requests just now. Please try again.")
        return
    answer = list_message(mine)
    await ack(response_type="ephemeral", text=answer.text, blocks=answer.blocks)


async def _open_form(ack: AsyncAck, client: AsyncWebClient, trigger_id: str | None) -> None:
    """views.open must run now: the trigger_id dies 3 s after Slack sent it."""
    if not trigger_id:
        await ack(response_type="ephemeral", text=USAGE)
        return
    try:
        await client.views_open(trigger_id=trigger_id, view=new_request_modal())
    except SLACK_CALL_ERRORS as error:
        log.warning("views.open for the new-request form failed: %s", error)
        await ack(response_type="ephemeral", text=f"I couldn't open the form.\n{USAGE}")
        return
    await ack()
