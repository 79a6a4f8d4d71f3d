"""Block Kit messages the bot posts, built with slack_sdk's models (validated on to_dict()).

Every message carries a plain ``text`` too: Slack uses it for notifications and screen readers,
and reads mentions in it, so typed text there is escaped like everywhere else. Typed text is
quoted in its own block and cut to fit Slack's limits after escaping, for the largest input that
validation accepts.
"""

from __future__ import annotations

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

from bot.approvals import ApprovalRequest, RecordedCancellation, RecordedDecision
from bot.slack.formatting import (
    cancellation_summary,
    canceller,
    inline,
    money,
    person,
    quoted,
    slack_date,
    summary,
    truncate,
)

APPROVE_ACTION = "approve_request"
DENY_ACTION = "deny_request"
DECISION_BLOCK = "decision_buttons"
CANCEL_ACTION = "cancel_request"
CANCEL_BLOCK = "cancel_button"
MONTH_TO_DATE_BLOCK = "month_to_date"

SECTION_TEXT_LIMIT = 3000
FIELD_TEXT_LIMIT = 2000
HEADER_TEXT_LIMIT = 150
# Slack refuses chat.update text over 4,000 characters; the notification line stays well below.
TEXT_LINE_DESCRIPTION_LIMIT = 200
TEXT_LINE_NAME_LIMIT = 120


@dataclass(frozen=True)
class SlackMessage:
    """Fallback text plus Block Kit blocks."""

    text: str
    blocks: list[Block]

    def block_dicts(self) -> list[dict[str, Any]]:
        return [block.to_dict() for block in self.blocks]


def _title(request: ApprovalRequest) -> str:
    return request.request_type.replace("_", " ").capitalize()


def _header(text: str) -> HeaderBlock:
    return HeaderBlock(block_id="title", text=truncate(text, HEADER_TEXT_LIMIT))


def _quote_block(block_id: str, label: str, typed: str) -> SectionBlock:
    """A label, then what a person typed as a quote under it."""
    text = f"*{label}*\n"
    return SectionBlock(block_id=block_id, text=MarkdownTextObject(
        text=text + quoted(typed, SECTION_TEXT_LIMIT - len(text))))


def _details(request: ApprovalRequest, deadline: datetime | None) -> list[Block]:
    requester = person(request.requester_account, request.requester, FIELD_TEXT_LIMIT - 60)
    if request.requester_account is None:
        requester += " _(no Slack account found)_"
    fields = [
        MarkdownTextObject(text="*Requested by*\n" + requester),
        MarkdownTextObject(text=f"*Amount*\n{money(request.amount)}"),
    ]
    if deadline is not None:
        fields.append(MarkdownTextObject(text=f"*Decide by*\n{slack_date(deadline)}"))
    description: Block
    if request.description.strip():
        description = _quote_block("description", "What for", request.description)
    else:
        description = SectionBlock(block_id="description", text=MarkdownTextObject(text="*What for*\n_no description_"))
    return [SectionBlock(block_id="details", fields=fields), description]


def _footer(approval_id: str, permalink: str | None = None) -> ContextBlock:
    text = f"Approval ID: `{approval_id}`"
    if permalink:
        text += f" · <{permalink}|View the request>"
    return ContextBlock(block_id="approval_id", elements=[MarkdownTextObject(text=text)])


def _text_line(request: ApprovalRequest) -> str:
    """One line naming the request, for notifications: every typed part escaped and short."""
    return (f"{_title(request)}: {money(request.amount)} for "
            f"{inline(request.description, TEXT_LINE_DESCRIPTION_LIMIT) or 'no description'} "
            f"(from {inline(request.requester, TEXT_LINE_NAME_LIMIT)})")


def _comments(decision: RecordedDecision) -> list[Block]:
    if not decision.comments.strip():
        return []
    return [_quote_block("comments", "Comments", decision.comments)]


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
        blocks=[_header(f"{_title(request)} request"), *_details(request, deadline), *_month_to_date(request),
                buttons, _footer(approval_id)],
    )


def _month_to_date(request: ApprovalRequest) -> list[Block]:
    """The requester's Approved spend this month before this request, when it was read at start."""
    if request.month_to_date is None:
        return []
    return [ContextBlock(block_id=MONTH_TO_DATE_BLOCK, elements=[MarkdownTextObject(
        text=f"Month to date: {money(request.month_to_date)} approved for this requester")])]


def decided(approval_id: str, request: ApprovalRequest, decision: RecordedDecision) -> SlackMessage:
    """The original request after a decision: no buttons, who decided, when, and why."""
    icon = ":white_check_mark:" if decision.approved else ":x:"
    blocks: list[Block] = [
        _header(f"{_title(request)} request"),
        *_details(request, None),
        SectionBlock(block_id="outcome", text=MarkdownTextObject(text=f"{icon} {summary(decision)}")),
        *_comments(decision),
        _footer(approval_id),
    ]
    return SlackMessage(
        text=f"{decision.verb} by {inline(decision.approver, TEXT_LINE_NAME_LIMIT)} — {_text_line(request)}",
        blocks=blocks,
    )


def cancelled(approval_id: str, request: ApprovalRequest, cancellation: RecordedCancellation) -> SlackMessage:
    """The original request after its requester cancelled it: no buttons, who and when."""
    blocks: list[Block] = [
        _header(f"{_title(request)} request"),
        *_details(request, None),
        SectionBlock(block_id="outcome", text=MarkdownTextObject(
            text=f":no_entry_sign: {cancellation_summary(cancellation)}; nothing is left to decide.")),
        *_reason(cancellation),
        _footer(approval_id),
    ]
    return SlackMessage(
        text=f"Cancelled by {inline(cancellation.by, TEXT_LINE_NAME_LIMIT)} — {_text_line(request)}",
        blocks=blocks,
    )


def _reason(cancellation: RecordedCancellation) -> list[Block]:
    if not cancellation.reason.strip():
        return []
    return [_quote_block("reason", "Reason", cancellation.reason)]


def expired(approval_id: str, request: ApprovalRequest, deadline: datetime) -> SlackMessage:
    """The original request after its deadline passed: no buttons, escalated."""
    return SlackMessage(
        text=f"Expired and escalated to senior management — {_text_line(request)}",
        blocks=[
            _header(f"{_title(request)} request"),
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
            _header(f"Escalated: {_title(request).lower()} request"),
            *_details(request, None),
            SectionBlock(
                block_id="reason",
                text=MarkdownTextObject(
                    text=f":rotating_light: *{inline(reason, 300)}* (deadline was {slack_date(deadline)}).\n{link}"
                ),
            ),
            _footer(approval_id),
        ],
    )


def _which_request(request: ApprovalRequest) -> str:
    """Names the request in a notice, so several requests at once are not confused."""
    return (f"{_title(request).lower()} request for *{money(request.amount)}* "
            f"({inline(request.description, 300) or 'no description'})")


def requester_decision_notice(
    approval_id: str, request: ApprovalRequest, decision: RecordedDecision, permalink: str | None = None
) -> SlackMessage:
    """The DM telling the requester how their request was decided."""
    icon = ":white_check_mark:" if decision.approved else ":x:"
    line = f"{icon} Your {_which_request(request)} was {summary(decision)}."
    return SlackMessage(
        text=(f"Your request for {money(request.amount)} "
              f"({inline(request.description, TEXT_LINE_DESCRIPTION_LIMIT) or 'no description'}) "
              f"was {decision.verb.lower()} by {inline(decision.approver, TEXT_LINE_NAME_LIMIT)}"),
        blocks=[SectionBlock(block_id="outcome", text=MarkdownTextObject(text=line)),
                *_comments(decision), _footer(approval_id, permalink)],
    )


def requester_escalation_notice(
    approval_id: str, request: ApprovalRequest, deadline: datetime, permalink: str | None = None
) -> SlackMessage:
    """The DM telling the requester nobody answered in time and senior management now has it."""
    line = (
        f":hourglass: Nobody decided your {_which_request(request)} "
        f"by {slack_date(deadline)}. It has been escalated to senior management."
    )
    return SlackMessage(
        text=(f"Your request for {money(request.amount)} "
              f"({inline(request.description, TEXT_LINE_DESCRIPTION_LIMIT) or 'no description'}) "
              "was escalated to senior management"),
        blocks=[SectionBlock(block_id="outcome", text=MarkdownTextObject(text=line)), _footer(approval_id, permalink)],
    )


def requester_cancellation_notice(
    approval_id: str, request: ApprovalRequest, cancellation: RecordedCancellation, permalink: str | None = None
) -> SlackMessage:
    """The DM telling the requester their request is cancelled and the approvers can't decide it."""
    line = (f":no_entry_sign: Your {_which_request(request)} was {cancellation_summary(cancellation)}. "
            "The approvers can no longer decide it.")
    return SlackMessage(
        text=(f"Your request for {money(request.amount)} "
              f"({inline(request.description, TEXT_LINE_DESCRIPTION_LIMIT) or 'no description'}) "
              f"was cancelled by {inline(cancellation.by, TEXT_LINE_NAME_LIMIT)}"),
        blocks=[SectionBlock(block_id="outcome", text=MarkdownTextObject(text=line)),
                *_reason(cancellation), _footer(approval_id, permalink)],
    )


def _cancel_button(approval_id: str) -> ActionsBlock:
    """Only the requester sees the confirmation that carries it; the click is checked again anyway."""
    return ActionsBlock(block_id=CANCEL_BLOCK, elements=[
        ButtonElement(text="Cancel request", action_id=CANCEL_ACTION, value=approval_id)])


def request_started(approval_id: str, request: ApprovalRequest, deadline: datetime) -> SlackMessage:
    """The ephemeral confirmation for the requester, right after `/expense`, with Cancel request."""
    line = (
        f":inbox_tray: Your request for *{money(request.amount)}* "
        f"({inline(request.description, 500) or 'no description'}) is with the approvers. "
        f"If nobody decides by {slack_date(deadline)}, it goes to senior management."
    )
    return SlackMessage(
        text=f"Request {approval_id} sent to the approvers",
        blocks=[SectionBlock(block_id="confirmation", text=MarkdownTextObject(text=line)),
                _cancel_button(approval_id), _footer(approval_id)],
    )


def request_repeated(approval_id: str, request: ApprovalRequest, deadline: datetime) -> SlackMessage:
    """The ephemeral answer to the same `/expense` typed again within a minute."""
    line = (
        f":point_up: You already asked for *{money(request.amount)}* "
        f"({inline(request.description, 500) or 'no description'}) a moment ago; that request is with the "
        f"approvers, so I didn't send it twice. If nobody decides by {slack_date(deadline)}, it goes to "
        "senior management."
    )
    return SlackMessage(
        text=f"Request {approval_id} was already sent to the approvers",
        blocks=[SectionBlock(block_id="confirmation", text=MarkdownTextObject(text=line)),
                _cancel_button(approval_id), _footer(approval_id)],
    )


def cancel_confirmed(approval_id: str, request: ApprovalRequest, cancellation: RecordedCancellation) -> SlackMessage:
    """What the requester's confirmation becomes once their cancellation is recorded: no button."""
    line = (f":no_entry_sign: You cancelled your request for *{money(request.amount)}* "
            f"({inline(request.description, 500) or 'no description'}). The approvers' message says so "
            "and they can no longer decide it.")
    return SlackMessage(
        text=f"Request {approval_id} cancelled by {canceller(cancellation)}",
        blocks=[SectionBlock(block_id="confirmation", text=MarkdownTextObject(text=line)), _footer(approval_id)],
    )


def not_in_channel(approval_id: str, request: ApprovalRequest, channel: str) -> SlackMessage:
    """The DM telling the requester the approvers never saw their request, and how to fix it."""
    line = (
        f":warning: I couldn't post your {_which_request(request)} to <#{channel}>: I'm not a member of that "
        "channel. Ask someone in it to type `/invite @Expense Approvals` (or add the app in the channel's "
        "settings), then send your request again."
    )
    return SlackMessage(
        text=f"Your request for {money(request.amount)} could not be posted: the app is not in the approvers' channel",
        blocks=[SectionBlock(block_id="problem", text=MarkdownTextObject(text=line)), _footer(approval_id)],
    )


def outcome_message(approval_id: str, request: ApprovalRequest, decision: RecordedDecision | None,
                    deadline: datetime | None) -> SlackMessage | None:
    """The request message as it must read once settled (no buttons), if it can be told."""
    if decision is not None:
        return decided(approval_id, request, decision)
    if deadline is not None:
        return expired(approval_id, request, deadline)
    return None


def plain(approval_id: str, line: str) -> SlackMessage:
    """A message with no typed text at all, for when a richer one can't be built."""
    return SlackMessage(text=truncate(line, 300), blocks=[_footer(approval_id)])
