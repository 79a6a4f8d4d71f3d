"""What the workflow asks of a chat front end: post a request, show its outcome, escalate it.

Each front end (bot/slack, later bot/teams) implements this once. The reference a front end
returns from `post_request` is opaque to the workflow: it is stored as is and handed back to the
same front end. It may carry `requesterAccount` (a Person's JSON) when the front end resolved who
the requester is on its platform, or `notPosted` (a reason) when posting cannot succeed until
someone acts (the bot is not in the channel): the instance then ends Failed with that reason.

Every method is at-least-once, as activities are: a re-run after a crash must not post twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from bot.approvals import ApprovalRequest, RecordedCancellation, RecordedDecision


class Notifier(Protocol):
    async def post_request(self, approval_id: str, request: ApprovalRequest, deadline: datetime) -> dict[str, Any]:
        """Put the request with Approve / Deny in front of the approvers; return where it is."""
        ...

    async def record_decision(
        self, approval_id: str, request: ApprovalRequest, decision: RecordedDecision, posted: dict[str, Any] | None
    ) -> None:
        """Show the decision on the posted request (no more buttons) and tell the requester."""
        ...

    async def escalate(
        self, approval_id: str, request: ApprovalRequest, deadline: datetime, posted: dict[str, Any] | None
    ) -> None:
        """Tell senior management, mark the posted request expired, tell the requester."""
        ...

    async def record_cancellation(
        self, approval_id: str, request: ApprovalRequest, cancellation: RecordedCancellation,
        posted: dict[str, Any] | None,
    ) -> None:
        """Show that the requester cancelled on the posted request (no more buttons) and tell them."""
        ...
