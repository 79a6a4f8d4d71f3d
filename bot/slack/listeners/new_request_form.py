"""The new-request form's submission: validate per field, then start the approval."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.approvals import ApprovalRequest, InvalidRequest
from bot.expense_text import ParseError, parse_amount
from bot.people import SLACK, Person
from bot.slack.modals import (
    NEW_REQUEST_CALLBACK,
    REQUEST_TYPES,
    TIMEOUT_CHOICES,
    notice_modal,
    request_started_modal,
    submitted_value,
)
from bot.workflow.backend import BackendUnavailable
from bot.workflow.client import WorkflowClient

log = logging.getLogger(__name__)

# ApprovalRequest field -> the input block that shows its error
FIELD_BLOCKS = {
    "amount": "amount",
    "request_type": "request_type",
    "description": "description",
    "timeout_seconds": "timeout",
}


def register(app: Any) -> None:
    app.view(NEW_REQUEST_CALLBACK)(new_request_submitted)


async def new_request_submitted(
    ack: AsyncAck, view: dict[str, Any], body: dict[str, Any], workflow: WorkflowClient
) -> None:
    errors: dict[str, str] = {}
    amount: float | None = None
    try:
        amount = parse_amount(submitted_value(view, "amount") or "")
    except ParseError as error:
        errors["amount"] = str(error)
    request_type = submitted_value(view, "request_type")
    if request_type not in REQUEST_TYPES:
        errors["request_type"] = "Pick a request type."
    description = " ".join((submitted_value(view, "description") or "").split())
    if not description:
        errors["description"] = "Say what the expense is for."
    timeout = submitted_value(view, "timeout")
    if timeout not in {str(seconds) for seconds in TIMEOUT_CHOICES}:
        errors["timeout"] = "Pick how long the approvers have."
    if errors:
        await ack(response_action="errors", errors=errors)
        return

    user = body["user"]
    try:
        request = ApprovalRequest(
            request_type=str(request_type),
            amount=amount,
            requester=user.get("username") or user.get("name") or user["id"],
            requester_account=Person.slack(user["id"], user.get("username") or user.get("name") or ""),
            origin=SLACK,
            front_ends=(SLACK,),
            description=description,
            timeout_seconds=int(str(timeout)),
        )
    except InvalidRequest as error:
        await ack(response_action="errors", errors={FIELD_BLOCKS.get(error.field, "description"): error.message})
        return
    try:
        started = await workflow.start(request)
    except BackendUnavailable:
        log.exception("could not start an approval from the form")
        notice = notice_modal("Not sent", "Sorry, I couldn't start that request. Please try again.")
        await ack(response_action="update", view=notice)
        return
    await ack(response_action="update", view=request_started_modal(started.approval_id, started.deadline))
