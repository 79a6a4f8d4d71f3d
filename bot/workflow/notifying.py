"""What the workflow asks of a chat front end: post a request, show its outcome, escalate it.

Each front end (bot/slack, later bot/teams) implements this once. The reference a front end
returns from `post_request` is opaque to the workflow: it is stored as is and handed back to the
same front end. It may carry `requesterAccount` (a Person's JSON) when the front end resolved who
the requester is on its platform, or `notPosted` (a reason) when posting cannot succeed until
someone acts (the bot is not in the channel): the instance then ends Failed with that reason.

Under an approval policy the request carries its route (tier, stages, approvers) and the calls
get the request's `Progress`: the card shows the stages done and the one waiting, the approvers of
a later stage are told when it opens, reminders go in the request's thread, and an escalation
senior management may act on carries Approve / Deny (its reference is returned and handed back).

Every method is at-least-once, as activities are: a re-run after a crash must not post twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.approvals import ApprovalRequest, RecordedCancellation, RecordedDecision
from bot.workflow.progress import Progress


class Notifier(Protocol):
    async def post_request(self, approval_id: str, request: ApprovalRequest, deadline: datetime) -> dict[str, Any]:
        """Put the request with Approve / Deny in front of the approvers; return where it is."""
        ...

    async def record_decision(
        self, approval_id: str, request: ApprovalRequest, decision: RecordedDecision, posted: dict[str, Any] | None,
        progress: Progress | None = None, escalation: dict[str, Any] | None = None,
    ) -> None:
        """Show the decision on the posted request (and on the escalation senior management
        decided on), no more buttons, and tell the requester."""
        ...

    async def escalate(
        self, approval_id: str, request: ApprovalRequest, deadline: datetime, posted: dict[str, Any] | None,
        progress: Progress | None = None,
    ) -> dict[str, Any] | None:
        """Tell senior management (with Approve / Deny when `progress` is in the senior review),
        mark the posted request expired, tell the requester; the escalation's reference."""
        ...

    async def advance_stage(
        self, approval_id: str, request: ApprovalRequest, progress: Progress, posted: dict[str, Any] | None
    ) -> None:
        """A stage was approved and the next waits: show it on the request, tell its approvers."""
        ...

    async def remind(
        self, approval_id: str, request: ApprovalRequest, progress: Progress, reminder: int,
        posted: dict[str, Any] | None,
    ) -> None:
        """Remind the waiting stage's approvers, once per `reminder`, beside the request."""
        ...

    async def close_escalation(
        self, approval_id: str, request: ApprovalRequest, decision: RecordedDecision | None, deadline: datetime,
        posted: dict[str, Any] | None, escalation: dict[str, Any] | None,
    ) -> None:
        """Senior management let its deadline pass: the escalation loses its buttons and says so
        (denied by the policy when `decision` is given); the requester is told."""
        ...

    async def record_cancellation(
        self, approval_id: str, request: ApprovalRequest, cancellation: RecordedCancellation,
        posted: dict[str, Any] | None,
    ) -> None:
        """Show that the requester cancelled on the posted request (no more buttons) and tell them."""
        ...
