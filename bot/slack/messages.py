"""Block Kit messages the bot posts, built with slack_sdk's models (validated on to_dict()).

Every message carries a plain ``text`` too: Slack uses it for notifications and screen readers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.approvals import ApprovalRequest, parse_timestamp
from bot.slack.formatting import escape, money, person, slack_date, truncate

APPROVE_ACTION = "approve_request"
DENY_ACTION = "deny_request"
DECISION_BLOCK = "decision_buttons"


@dataclass(frozen=True)
class SlackMessage:
    """Fallback text plus Block Kit blocks."""

    text: str
    blocks: list[Block]

    def block_dicts(self) -> list[dict[str, Any]]:
        return [block.to_dict() for block in self.blocks]


@dataclass(frozen=True)
class RecordedDecision:
    """The approval record as the workflow stores it (README `approval` object)."""

    approved: bool
    approver: str
    comments: str
    decided_at: datetime | None
    slack_user_id: str | None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "RecordedDecision":
        timestamp = record.get("timestamp")
        return cls(
            approved=bool(record.get("approved")),
            approver=str(record.get("approver") or "unknown"),
            comments=str(record.get("comments") or ""),
            decided_at=parse_timestamp(timestamp) if isinstance(timestamp, str) else None,
            slack_user_id=record.get("slackUserId") if isinstance(record.get("slackUserId"), str) else None,
        )

    @property
    def verb(self) -> str:
        return "Approved" if self.approved else "Denied"

    @property
    def who(self) -> str:
        return person(self.slack_user_id, self.approver)

    def summary(self) -> str:
        """"*Approved* by <@U1> at <date>" — used in messages and ephemeral answers."""
        when = f" at {slack_date(self.decided_at)}" if self.decided_at else ""
        return f"*{self.verb}* by {self.who}{when}"


def _title(request: ApprovalRequest) -> str:
    return request.request_type.replace("_", " ").capitalize()


def _details(request: ApprovalRequest, deadline: datetime | None) -> list[Block]:
    fields = [
        MarkdownTextObject(text=f"*Requested by*\n{person(request.requester_slack_id, request.requester)}"),
        MarkdownTextObject(text=f"*Amount*\n{money(request.amount)}"),
    ]
    if deadline is not None:
        fields.append(MarkdownTextObject(text=f"*Decide by*\n{slack_date(deadline)}"))
    what = escape(request.description) if request.description.strip() else "_no description_"
    return [
        SectionBlock(block_id="details", fields=fields),
        SectionBlock(block_id="description", text=MarkdownTextObject(text=truncate(f"*What for*\n{what}", 3000))),
    ]


def _footer(approval_id: str) -> ContextBlock:
    return ContextBlock(block_id="approval_id", elements=[MarkdownTextObject(text=f"Approval ID: `{approval_id}`")])


def _text_line(request: ApprovalRequest) -> str:
    who = request.requester
    return f"{_title(request)}: {money(request.amount)} for {truncate(request.description, 200)} (from {who})"


def approval_request(approval_id: str, request: ApprovalRequest, deadline: datetime) -> SlackMessage:
    """The message in the approvers' channel, with Approve / Deny buttons carrying the approval id."""
    buttons = ActionsBlock(
        block_id=DECISION_BLOCK,
        elements=[
            ButtonElement(text="Approve", action_id=APPROVE_ACTION, value=approval_id, style="primary"),
            ButtonElement(text="Deny", action_id=DENY_ACTION, value=approval_id, style="danger"),
        ],
    )
    return SlackMessage(
        text=f"Approval needed — {_text_line(request)}",
        blocks=[
            HeaderBlock(block_id="title", text=truncate(f"{_title(request)} request", 150)),
            *_details(request, deadline),
            buttons,
            _footer(approval_id),
        ],
    )


def decided(approval_id: str, request: ApprovalRequest, decision: RecordedDecision) -> SlackMessage:
    """The original request after a decision: no buttons, who decided, when, and why."""
    icon = ":white_check_mark:" if decision.approved else ":x:"
    blocks: list[Block] = [
        HeaderBlock(block_id="title", text=truncate(f"{_title(request)} request", 150)),
        *_details(request, None),
        SectionBlock(block_id="outcome", text=MarkdownTextObject(text=f"{icon} {decision.summary()}")),
    ]
    if decision.comments.strip():
        quoted = truncate(escape(decision.comments), 2900).replace("\n", "\n>")
        blocks.append(SectionBlock(block_id="comments", text=MarkdownTextObject(text=f"*Comments*\n>{quoted}")))
    blocks.append(_footer(approval_id))
    return SlackMessage(text=f"{decision.verb} by {decision.approver} — {_text_line(request)}", blocks=blocks)


def expired(approval_id: str, request: ApprovalRequest, deadline: datetime) -> SlackMessage:
    """The original request after its deadline passed: no buttons, escalated."""
    return SlackMessage(
        text=f"Expired and escalated to senior management — {_text_line(request)}",
        blocks=[
            HeaderBlock(block_id="title", text=truncate(f"{_title(request)} request", 150)),
            *_details(request, None),
            SectionBlock(
                block_id="outcome",
                text=MarkdownTextObject(
                    text=f":hourglass: *Expired* without a decision at {slack_date(deadline)} "
                    "and was escalated to senior management."
                ),
            ),
            _footer(approval_id),
        ],
    )


def escalation(
    approval_id: str, request: ApprovalRequest, deadline: datetime, reason: str, permalink: str | None
) -> SlackMessage:
    """The post in the senior-management channel for a request nobody answered."""
    link = f"<{permalink}|View the original request>" if permalink else "The original request has no link."
    return SlackMessage(
        text=f"Escalated: nobody answered — {_text_line(request)}",
        blocks=[
            HeaderBlock(block_id="title", text=truncate(f"Escalated: {_title(request).lower()} request", 150)),
            *_details(request, None),
            SectionBlock(
                block_id="reason",
                text=MarkdownTextObject(
                    text=f":rotating_light: *{escape(reason)}* (deadline was {slack_date(deadline)}).\n{link}"
                ),
            ),
            _footer(approval_id),
        ],
    )


def requester_decision_notice(approval_id: str, request: ApprovalRequest, decision: RecordedDecision) -> SlackMessage:
    """The DM telling the requester how their request was decided."""
    icon = ":white_check_mark:" if decision.approved else ":x:"
    line = f"{icon} Your {_title(request).lower()} request for {money(request.amount)} was {decision.summary()}."
    blocks: list[Block] = [SectionBlock(block_id="outcome", text=MarkdownTextObject(text=line))]
    if decision.comments.strip():
        quoted = truncate(escape(decision.comments), 2900).replace("\n", "\n>")
        blocks.append(SectionBlock(block_id="comments", text=MarkdownTextObject(text=f">{quoted}")))
    blocks.append(_footer(approval_id))
    return SlackMessage(text=f"Your request was {decision.verb.lower()} by {decision.approver}", blocks=blocks)


def requester_escalation_notice(approval_id: str, request: ApprovalRequest, deadline: datetime) -> SlackMessage:
    """The DM telling the requester nobody answered in time and senior management now has it."""
    line = (
        f":hourglass: Nobody decided your {_title(request).lower()} request for {money(request.amount)} "
        f"by {slack_date(deadline)}. It has been escalated to senior management."
    )
    return SlackMessage(
        text="Your request was escalated to senior management",
        blocks=[SectionBlock(block_id="outcome", text=MarkdownTextObject(text=line)), _footer(approval_id)],
    )


def request_started(approval_id: str, request: ApprovalRequest, deadline: datetime) -> SlackMessage:
    """The ephemeral confirmation for the requester, right after `/expense`."""
    line = (
        f":inbox_tray: Your request for *{money(request.amount)}* "
        f"({truncate(escape(request.description), 500)}) is with the approvers. "
        f"If nobody decides by {slack_date(deadline)}, it goes to senior management."
    )
    return SlackMessage(
        text=f"Request {approval_id} sent to the approvers",
        blocks=[SectionBlock(block_id="confirmation", text=MarkdownTextObject(text=line)), _footer(approval_id)],
    )
