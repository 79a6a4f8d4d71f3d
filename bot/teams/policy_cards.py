"""Adaptive Card parts for requests under an approval policy: the tier and why, the stages done
and the one waiting, stage and reminder replies, and senior management's Approve / Deny.

Without a policy none of this is shown: bot.teams.cards alone builds every card.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.approvals import ApprovalRequest, RecordedDecision
from bot.teams import cards
from bot.workflow.progress import Progress


def _with(card: cards.Card, extra: list[dict[str, Any]]) -> cards.Card:
    """The card with `extra` placed before its footer (the last body element)."""
    body = list(card["body"])
    return {**card, "body": [*body[:-1], *extra, *body[-1:]]}


def stage_lines(request: ApprovalRequest, progress: Progress | None, *, settled: bool = False) -> list[dict[str, Any]]:
    if request.route is None or progress is None:
        return []
    lines = [cards.plain(f"Tier {request.route.tier}: {request.route.reason}", isSubtle=True)]
    for record in progress.done:
        decision = record.recorded
        lines.append(cards.plain(f"✔ {record.stage}: {decision.verb} by "
                                 f"{cards.who(decision.decided_by, decision.approver)}"
                                 if decision.approved else f"✖ {record.stage}: Denied by "
                                 f"{cards.who(decision.decided_by, decision.approver)}"))
    if not settled:
        lines.append(cards.plain(f"⏳ {progress.stage_name}: waiting", weight="Bolder"))
        lines += [cards.plain(f"○ {name}: after that") for name in progress.waiting]
    return lines


def request_in_stage(approval_id: str, request: ApprovalRequest, progress: Progress) -> cards.Card:
    return _with(cards.request_card(approval_id, request, progress.deadline), stage_lines(request, progress))


def decided_in_stages(approval_id: str, request: ApprovalRequest, decision: RecordedDecision,
                      progress: Progress) -> cards.Card:
    return _with(cards.decided_card(approval_id, request, decision), stage_lines(request, progress, settled=True))


def stage_opened(progress: Progress) -> cards.Card:
    by = f" by {cards.when(progress.deadline)}" if progress.deadline else ""
    return cards.card([cards.plain(f"Stage {progress.stage_name} now needs a decision{by}.", weight="Bolder")])


def reminder(progress: Progress, number: int) -> cards.Card:
    by = f" by {cards.when(progress.deadline)}" if progress.deadline else ""
    return cards.card([cards.plain(f"Reminder {number}: this request waits for the {progress.stage_name} "
                                   f"decision{by}; after that it goes to senior management.", weight="Bolder")])


def senior_escalation(approval_id: str, request: ApprovalRequest, deadline: datetime, reason: str,
                      link: str | None, progress: Progress) -> cards.Card:
    """The escalation senior management may decide: Approve / Deny until their deadline."""
    base = cards.escalation_card(approval_id, request, deadline, reason, link)
    by = f" by {cards.when(progress.deadline)}" if progress.deadline else ""
    extra = [*stage_lines(request, progress, settled=True),
             cards.plain(f"Senior management may approve or deny this request{by}.", weight="Bolder")]
    data = {"approvalId": approval_id}
    actions = [cards.execute("Approve", cards.APPROVE, data, "positive"),
               cards.execute("Deny", cards.DENY, data, "destructive"), *base.get("actions", [])]
    return {**_with(base, extra), "actions": actions}


def senior_closed(approval_id: str, request: ApprovalRequest, deadline: datetime, reason: str,
                  decision: RecordedDecision | None) -> cards.Card:
    base = cards.escalation_card(approval_id, request, deadline, reason, None)
    text = (f"Senior management did not decide in time: {decision.verb} by the policy." if decision is not None
            else "Senior management did not decide in time; the request stays escalated.")
    return _with(base, [cards.plain(text, weight="Bolder")])
