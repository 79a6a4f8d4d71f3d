"""Modals: the new-request form, the deny-reason form, and the small notices that replace them.

Built with slack_sdk's View and block models; the callback_ids are what Slack sends back, so they never change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.approvals import MAX_COMMENTS_LENGTH, MAX_DESCRIPTION_LENGTH, ApprovalRequest
from bot.slack.formatting import money, person, quoted, slack_date, truncate

NEW_REQUEST_CALLBACK = "new_expense_request"
DENY_REASON_CALLBACK = "deny_reason"
VALUE_ACTION = "value"  # the action_id of every input element; the block_id names the field

REQUEST_TYPES = {
    "expense_approval": "Expense",
    "purchase_approval": "Purchase",
    "travel_approval": "Travel",
}
TIMEOUT_CHOICES = {
    600: "10 minutes",
    3600: "1 hour",
    4 * 3600: "4 hours",
    24 * 3600: "1 day",
    3 * 24 * 3600: "3 days",
}
DEFAULT_TIMEOUT_CHOICE = 24 * 3600


def _options(choices: Mapping[Any, str]) -> list[Option]:
    return [Option(value=str(value), text=label) for value, label in choices.items()]


def new_request_modal() -> View:
    """The form `/expense` opens: amount, request type, description, timeout."""
    type_options = _options(REQUEST_TYPES)
    timeout_options = _options(TIMEOUT_CHOICES)
    return View(
        type="modal",
        callback_id=NEW_REQUEST_CALLBACK,
        title="New expense request",
        submit="Request approval",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id="amount",
                label="Amount (USD)",
                element=PlainTextInputElement(action_id=VALUE_ACTION, placeholder="e.g. 1250.50", max_length=32),
            ),
            InputBlock(
                block_id="request_type",
                label="Request type",
                element=StaticSelectElement(
                    action_id=VALUE_ACTION, options=type_options, initial_option=type_options[0]
                ),
            ),
            InputBlock(
                block_id="description",
                label="What is it for?",
                element=PlainTextInputElement(
                    action_id=VALUE_ACTION,
                    multiline=True,
                    max_length=MAX_DESCRIPTION_LENGTH,
                    placeholder="e.g. Conference attendance",
                ),
            ),
            InputBlock(
                block_id="timeout",
                label="Escalate if nobody decides within",
                element=StaticSelectElement(
                    action_id=VALUE_ACTION,
                    options=timeout_options,
                    initial_option=timeout_options[list(TIMEOUT_CHOICES).index(DEFAULT_TIMEOUT_CHOICE)],
                ),
            ),
        ],
    )


@dataclass(frozen=True)
class DenyTarget:
    """What the deny-reason modal carries in private_metadata: which request, which message."""

    approval_id: str
    channel: str | None
    ts: str | None

    def to_metadata(self) -> str:
        return json.dumps({"approvalId": self.approval_id, "channel": self.channel, "ts": self.ts})

    @classmethod
    def from_metadata(cls, text: str | None) -> DenyTarget | None:
        try:
            data = json.loads(text or "")
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("approvalId"), str):
            return None
        channel, ts = data.get("channel"), data.get("ts")
        return cls(
            approval_id=data["approvalId"],
            channel=channel if isinstance(channel, str) else None,
            ts=ts if isinstance(ts, str) else None,
        )


def deny_reason_modal(target: DenyTarget, request: ApprovalRequest) -> View:
    """Asks the approver why; the reason is required and becomes the decision's comments."""
    summary = (
        f"Deny the request from {person(request.requester_account, request.requester)} "
        f"for *{money(request.amount)}*:\n{quoted(request.description, 500) if request.description.strip() else '_no description_'}"
    )
    return View(
        type="modal",
        callback_id=DENY_REASON_CALLBACK,
        private_metadata=target.to_metadata(),
        title="Deny request",
        submit="Deny",
        close="Cancel",
        blocks=[
            SectionBlock(block_id="summary", text=MarkdownTextObject(text=summary)),
            InputBlock(
                block_id="reason",
                label="Reason",
                hint="The requester will see this.",
                element=PlainTextInputElement(
                    action_id=VALUE_ACTION, multiline=True, min_length=1, max_length=MAX_COMMENTS_LENGTH
                ),
            ),
        ],
    )


def notice_modal(title: str, text: str) -> View:
    """A closing notice that replaces a submitted form (response_action=update)."""
    return View(
        type="modal",
        title=truncate(title, 24),
        close="Done",
        blocks=[SectionBlock(block_id="notice", text=MarkdownTextObject(text=truncate(text, 3000)))],
    )


def request_started_modal(approval_id: str, deadline: datetime) -> View:
    """Shown after a successful form submission."""
    return View(
        type="modal",
        title="Request sent",
        close="Done",
        blocks=[
            SectionBlock(
                block_id="notice",
                text=MarkdownTextObject(
                    text=f":white_check_mark: Your request is with the approvers. "
                    f"If nobody decides by {slack_date(deadline)} it goes to senior management."
                ),
            ),
            ContextBlock(block_id="approval_id", elements=[MarkdownTextObject(text=f"Approval ID: `{approval_id}`")]),
        ],
    )


def submitted_value(view: Mapping[str, Any], block_id: str) -> str | None:
    """The text or selected option value of one input block in a view_submission."""
    try:
        field = view["state"]["values"][block_id][VALUE_ACTION]
    except (KeyError, TypeError):
        return None
    if not isinstance(field, Mapping):
        return None
    if isinstance(field.get("value"), str):
        return field["value"]
    option = field.get("selected_option")
    if isinstance(option, Mapping) and isinstance(option.get("value"), str):
        return option["value"]
    return None
