"""Block Kit for requests under an approval policy: the tier and why, the stages done and the one
waiting, stage and reminder notes in the request's thread, and senior management's escalation
with Approve / Deny.

Without a policy none of this is shown: bot.slack.messages alone builds every message.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, MarkdownTextObject, SectionBlock

from bot.approvals import ApprovalRequest, RecordedDecision
from bot.people import SLACK
from bot.policy.model import SLACK_GROUP_PREFIX, Approvers
from bot.slack import messages
from bot.slack.formatting import inline, money, slack_date, summary
from bot.slack.messages import APPROVE_ACTION, DECISION_BLOCK, DENY_ACTION, SlackMessage
from bot.workflow.progress import Progress

STAGES_BLOCK = "stages"
TIER_BLOCK = "tier"


def mentions(approvers: Approvers) -> str:
    """The approvers as Slack mentions (users and user groups), so Slack notifies them."""
    ids = approvers.on(SLACK)
    if not ids:
        return "the approvers"
    return " ".join(f"<!subteam^{i}>" if i.startswith(SLACK_GROUP_PREFIX) else f"<@{i}>" for i in ids)


def tier_block(request: ApprovalRequest) -> list[Block]:
    """Which tier the request is in and why ("over $1,000: finance")."""
    if request.route is None:
        return []
    return [ContextBlock(block_id=TIER_BLOCK, elements=[MarkdownTextObject(
        text=f":scales: Tier *{inline(request.route.tier, 64)}*: {inline(request.route.reason, 200)}")])]


def stages_block(progress: Progress | None, *, settled: bool = False) -> list[Block]:
    """The stages done (who, what, when) and the one waiting, with its deadline and approvers."""
    if progress is None:
        return []
    lines = []
    for record in progress.done:
        icon = ":white_check_mark:" if record.recorded.approved else ":x:"
        lines.append(f"{icon} *{inline(record.stage, 64)}*: {summary(record.recorded)}")
    if not settled:
        by = f" by {slack_date(progress.deadline)}" if progress.deadline else ""
        lines.append(f":hourglass_flowing_sand: *{inline(progress.stage_name, 64)}*: waiting for "
                     f"{mentions(progress.approvers)}{by}")
        lines += [f":white_circle: *{inline(name, 64)}*: after that" for name in progress.waiting]
    if not lines:
        return []
    return [SectionBlock(block_id=STAGES_BLOCK, text=MarkdownTextObject(text="\n".join(lines)[:2900]))]


def decision_buttons(approval_id: str) -> ActionsBlock:
    return ActionsBlock(block_id=DECISION_BLOCK, elements=[
        ButtonElement(text="Approve", action_id=APPROVE_ACTION, value=approval_id, style="primary"),
        ButtonElement(text="Deny", action_id=DENY_ACTION, value=approval_id, style="danger"),
    ])


def _which(request: ApprovalRequest) -> str:
    return f"{money(request.amount)} for {inline(request.description, 200) or 'no description'}"


def stage_opened(approval_id: str, request: ApprovalRequest, progress: Progress) -> SlackMessage:
    """The thread note when an approved stage hands the request to the next one."""
    done = progress.done[-1] if progress.done else None
    before = f"*{inline(done.stage, 64)}* approved. " if done else ""
    by = f" by {slack_date(progress.deadline)}" if progress.deadline else ""
    line = (f":arrow_forward: {before}Stage *{inline(progress.stage_name, 64)}* now needs "
            f"{mentions(progress.approvers)}: please approve or deny{by}.")
    return SlackMessage(text=f"Stage {progress.stage_name} needs a decision — {_which(request)}",
                        blocks=[SectionBlock(block_id="stage", text=MarkdownTextObject(text=line))])


def reminder(approval_id: str, request: ApprovalRequest, progress: Progress, number: int) -> SlackMessage:
    """A reminder in the request's thread to the approvers of the stage waiting."""
    by = f" by {slack_date(progress.deadline)}" if progress.deadline else ""
    line = (f":alarm_clock: Reminder {number}: {mentions(progress.approvers)}, this request waits for your "
            f"decision (stage *{inline(progress.stage_name, 64)}*){by}; after that it goes to senior management.")
    return SlackMessage(text=f"Reminder: a decision is needed — {_which(request)}",
                        blocks=[SectionBlock(block_id="reminder", text=MarkdownTextObject(text=line))])


def senior_section(progress: Progress) -> list[Block]:
    """Who among senior management may decide, and by when."""
    by = f" by {slack_date(progress.deadline)}" if progress.deadline else ""
    return [SectionBlock(block_id="senior", text=MarkdownTextObject(
        text=f":briefcase: {mentions(progress.approvers)} may approve or deny this request{by}."))]


def senior_closed(decision: RecordedDecision | None, deadline: datetime) -> list[Block]:
    """What the escalation says when senior management let its deadline pass."""
    if decision is not None:
        text = f":x: Senior management did not decide by {slack_date(deadline)}: {summary(decision)}."
    else:
        text = f":hourglass: Senior management did not decide by {slack_date(deadline)}; the request stays escalated."
    return [SectionBlock(block_id="senior", text=MarkdownTextObject(text=text))]


def _inserted(message: SlackMessage, before_block: str, extra: list[Block]) -> SlackMessage:
    """The message with `extra` blocks placed before the block `before_block` (else at the end)."""
    blocks = list(message.blocks)
    index = next((i for i, block in enumerate(blocks) if block.block_id == before_block), len(blocks))
    return SlackMessage(text=message.text, blocks=[*blocks[:index], *extra, *blocks[index:]])


def request_in_stage(approval_id: str, request: ApprovalRequest, progress: Progress) -> SlackMessage:
    """The request with Approve / Deny, its tier and why, the stages done and the one waiting."""
    assert progress.deadline is not None, "a waiting stage has a deadline"
    base = messages.approval_request(approval_id, request, progress.deadline)
    return _inserted(base, DECISION_BLOCK, [*tier_block(request), *stages_block(progress)])


def decided_in_stages(approval_id: str, request: ApprovalRequest, decision: RecordedDecision,
                      progress: Progress) -> SlackMessage:
    """The request once decided: every stage's decision, no buttons."""
    base = messages.decided(approval_id, request, decision)
    return _inserted(base, "outcome", [*tier_block(request), *stages_block(progress, settled=True)])


def expired_in_stages(approval_id: str, request: ApprovalRequest, deadline: datetime,
                      progress: Progress) -> SlackMessage:
    """The request once its stage's deadline passed: the stages done, no buttons."""
    base = messages.expired(approval_id, request, deadline)
    return _inserted(base, "outcome", [*tier_block(request), *stages_block(progress, settled=True)])


def senior_escalation(approval_id: str, request: ApprovalRequest, deadline: datetime, reason: str,
                      permalink: str | None, progress: Progress) -> SlackMessage:
    """The escalation senior management may act on: who may, by when, Approve / Deny."""
    base = messages.escalation(approval_id, request, deadline, reason, permalink)
    extra = [*tier_block(request), *stages_block(progress, settled=True), *senior_section(progress),
             decision_buttons(approval_id)]
    return _inserted(base, "approval_id", extra)


def senior_escalation_closed(approval_id: str, request: ApprovalRequest, deadline: datetime, reason: str,
                             permalink: str | None, decision: RecordedDecision | None,
                             senior_deadline: datetime) -> SlackMessage:
    """The escalation after senior management's deadline: no buttons, what it came to."""
    base = messages.escalation(approval_id, request, deadline, reason, permalink)
    return _inserted(base, "approval_id", [*tier_block(request), *senior_closed(decision, senior_deadline)])


def senior_decided(approval_id: str, request: ApprovalRequest, decision: RecordedDecision) -> SlackMessage:
    """The escalation once senior management decided it: no buttons, who decided."""
    base = messages.decided(approval_id, request, decision)
    note = ContextBlock(block_id="after_escalation", elements=[MarkdownTextObject(
        text=":briefcase: Escalated, then decided by senior management after escalation")])
    return _inserted(base, "outcome", [*tier_block(request), note])
