""""My approvals" in Slack: the App Home tab and the `/expense list` answer show the same blocks.

The Approve / Deny buttons carry the same action ids and values as those on the channel message,
so a click here goes through the very same listener and checks. Slack allows 100 blocks in a view
and 50 in a message; the lists are cut well below that and say how many more there are.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.slack.formatting import inline, money, person, slack_date, summary, truncate
from bot.slack.messages import APPROVE_ACTION, DENY_ACTION, SlackMessage
from bot.workflow.audit import outcome_status
from bot.workflow.my_approvals import MyApprovals
from bot.workflow.state import ApprovalState, Stage

MAX_WAITING_SHOWN = 15  # 2 blocks each: with the rest, a message stays under Slack's 50
DESCRIPTION_LIMIT = 300
NOTICE_LIMIT = 1000


def home_view(mine: MyApprovals, notice: str | None = None) -> dict[str, Any]:
    """The App Home tab (`views.publish`)."""
    return {"type": "home", "blocks": [block.to_dict() for block in _blocks(mine, notice)]}


def list_message(mine: MyApprovals) -> SlackMessage:
    """`/expense list`, answered privately."""
    waiting = len(mine.waiting)
    text = f"{waiting} request(s) waiting for you" if mine.may_approve else "Your recent requests"
    return SlackMessage(text=text, blocks=_blocks(mine, None))


def _blocks(mine: MyApprovals, notice: str | None) -> list[Block]:
    blocks: list[Block] = []
    if notice:
        blocks.append(ContextBlock(block_id="notice", elements=[MarkdownTextObject(text=truncate(notice, NOTICE_LIMIT))]))
    if mine.may_approve:
        blocks.append(HeaderBlock(block_id="waiting_title", text=f"Waiting for you ({len(mine.waiting)})"))
        if not mine.waiting:
            blocks.append(_line("waiting_none", "Nothing is waiting for your decision."))
        for n, state in enumerate(mine.waiting[:MAX_WAITING_SHOWN]):
            blocks += _waiting(n, state)
        if len(mine.waiting) > MAX_WAITING_SHOWN:
            more = len(mine.waiting) - MAX_WAITING_SHOWN
            blocks.append(_line("waiting_more", f"…and {more} more, due later. Decide these first and the next ones show."))
        blocks.append(DividerBlock(block_id="between"))
    blocks.append(HeaderBlock(block_id="own_title", text="Your recent requests"))
    if not mine.own:
        blocks.append(_line("own_none", "You have made no requests in the last 30 days. Type `/expense` to make one."))
    for n, state in enumerate(mine.own):
        blocks.append(SectionBlock(block_id=f"own_{n}", text=MarkdownTextObject(text=_own_line(state))))
    return blocks


def _waiting(n: int, state: ApprovalState) -> list[Block]:
    request = state.request
    assert request is not None  # an open request always has its input
    due = f" · decide by {slack_date(state.deadline)}" if state.deadline else ""
    text = (f"*{money(request.amount)}* {inline(request.description, DESCRIPTION_LIMIT) or '_no description_'}\n"
            f"from {person(state.requester, request.requester)}{due}")
    value = f"approval-{state.instance_id}"
    return [
        SectionBlock(block_id=f"waiting_{n}", text=MarkdownTextObject(text=text)),
        ActionsBlock(block_id=f"decide_{n}", elements=[
            ButtonElement(text="Approve", action_id=APPROVE_ACTION, value=value, style="primary"),
            ButtonElement(text="Deny", action_id=DENY_ACTION, value=value, style="danger"),
        ]),
    ]


def _own_line(state: ApprovalState) -> str:
    request = state.request
    head = (f"*{money(request.amount)}* {inline(request.description, DESCRIPTION_LIMIT) or '_no description_'}"
            if request is not None else f"`approval-{state.instance_id}`")
    return f"{head}\n{_where(state)}"


def _where(state: ApprovalState) -> str:
    if state.stage is Stage.OPEN:
        due = f", decide by {slack_date(state.deadline)}" if state.deadline else ""
        return f"Waiting for a decision{due}"
    if state.stage is Stage.DECIDED and state.decision is not None:
        return summary(state.decision)
    if state.stage is Stage.ESCALATED:
        return "*Escalated* to senior management: nobody decided in time"
    if state.stage is Stage.CANCELLED:
        when = state.cancellation.cancelled_at if state.cancellation else None
        return "*Cancelled* by you" + (f" at {slack_date(when)}" if when else "")
    if state.stage is Stage.DECIDING:
        return "Decided; the decision is being recorded"
    recorded = outcome_status(state)
    return f"*{inline(recorded, 100)}*" if recorded else "Closed without a decision"


def _line(block_id: str, text: str) -> SectionBlock:
    return SectionBlock(block_id=block_id, text=MarkdownTextObject(text=text))
