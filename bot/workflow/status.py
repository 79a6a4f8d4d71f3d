"""The orchestration's custom status: what the orchestrator writes and every front end reads.

One typed value with `to_json` / `from_json`, so the writer and the readers cannot drift apart.
Posted messages are kept per front end as opaque references: only the front end that posted one
reads inside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.approvals import timestamp_or_none, utc_timestamp
from bot.people import SLACK, InvalidPerson, Person

SENDING_REQUEST = "sending_request"
WAITING = "waiting_for_approval"
PROCESSING = "processing_decision"
ESCALATING = "escalating"
SENIOR_REVIEW = "senior_review"  # escalated, and senior management may still decide
CANCELLING = "cancelling"
DONE = "done"

# Runtime statuses of the durable instance, grouped as the front ends need them.
ACTIVE_RUNTIME_STATUSES = frozenset({"Pending", "Running", "ContinuedAsNew", "Suspended"})
ENDED_RUNTIME_STATUSES = frozenset({"Completed", "Failed", "Terminated", "Canceled"})

# A posted reference may name the requester's account, when its front end could resolve it.
REQUESTER_ACCOUNT_KEY = "requesterAccount"
# A reference with this key says the front end could not post the request, why, and that it told
# the requester how to fix it: retrying would not help.
NOT_POSTED_KEY = "notPosted"


@dataclass
class WorkflowStatus:
    """Where one approval stands, as its orchestration last wrote it."""

    stage: str
    approval_id: str
    deadline: datetime | None
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    requester: Person | None = None
    invalid_responses: int = 0
    last_invalid_response: str | None = None
    notification_error: str | None = None
    outcome: dict[str, Any] | None = None
    # Under a policy only: the stage waiting (0-based; one past the last is the senior review),
    # its name and tier, the decisions of the stages done, and the escalation posts per front end.
    policy_stage: int | None = None
    stage_name: str | None = None
    tier: str | None = None
    stages_done: list[dict[str, Any]] = field(default_factory=list)
    escalations: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "stage": self.stage,
            "approvalId": self.approval_id,
            "deadline": utc_timestamp(self.deadline) if self.deadline else None,
            "message": self.messages.get(SLACK),
            "messages": dict(self.messages),
            "requester": self.requester.to_json() if self.requester else None,
            "requesterSlackId": self.requester.id if self.requester and self.requester.is_on(SLACK) else None,
            "invalidResponses": self.invalid_responses,
            "lastInvalidResponse": self.last_invalid_response,
        }
        if self.notification_error is not None:
            data["notificationError"] = self.notification_error
        if self.policy_stage is not None:
            data["tier"] = self.tier
            data["policyStage"] = self.policy_stage
            data["stageName"] = self.stage_name
            data["stagesDone"] = list(self.stages_done)
            if self.escalations:
                data["escalations"] = dict(self.escalations)
        if self.outcome is not None:
            data["outcome"] = self.outcome
        return data

    @classmethod
    def from_json(cls, data: Any) -> WorkflowStatus | None:
        """Read what `to_json` wrote; None for anything else (an instance that set nothing yet)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("stage"), str):
            return None
        messages = data.get("messages")
        if not isinstance(messages, Mapping):  # written before messages were kept per front end
            messages = {SLACK: data["message"]} if isinstance(data.get("message"), Mapping) else {}
        outcome = data.get("outcome")
        invalid = data.get("invalidResponses")
        policy_stage = data.get("policyStage")
        escalations = data.get("escalations")
        done = data.get("stagesDone")
        return cls(
            stage=data["stage"],
            approval_id=str(data.get("approvalId") or ""),
            deadline=timestamp_or_none(data.get("deadline")),
            messages={str(k): dict(v) for k, v in messages.items() if isinstance(v, Mapping)},
            requester=_person(data.get("requester")) or _legacy_requester(data.get("requesterSlackId")),
            invalid_responses=invalid if isinstance(invalid, int) else 0,
            last_invalid_response=_text(data.get("lastInvalidResponse")),
            notification_error=_text(data.get("notificationError")),
            outcome=dict(outcome) if isinstance(outcome, Mapping) else None,
            policy_stage=policy_stage if isinstance(policy_stage, int) and not isinstance(policy_stage, bool) else None,
            stage_name=_text(data.get("stageName")),
            tier=_text(data.get("tier")),
            stages_done=[dict(r) for r in done if isinstance(r, Mapping)] if isinstance(done, list) else [],
            escalations={str(k): dict(v) for k, v in escalations.items() if isinstance(v, Mapping)}
            if isinstance(escalations, Mapping) else {},
        )

    def requester_from_messages(self) -> Person | None:
        """The requester's account as a front end resolved it when posting, if any did."""
        for reference in self.messages.values():
            account = _person(reference.get(REQUESTER_ACCOUNT_KEY))
            if account is not None:
                return account
        return None


def _person(value: Any) -> Person | None:
    if value is None:
        return None
    try:
        return Person.from_json(value)
    except InvalidPerson:
        return None


def _legacy_requester(value: Any) -> Person | None:
    try:
        return Person.slack(value) if isinstance(value, str) else None
    except InvalidPerson:
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
