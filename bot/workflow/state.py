"""Where an approval stands, read from its durable instance: the one status reader.

Front ends consult it before raising a decision, so a second click, a click after the deadline or
a click on an unknown id gets a clear answer instead of a silent no-op or an error; the HTTP API
shows it as `GET /api/status`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from bot.approvals import (
    STATUS_CANCELLED,
    STATUS_ESCALATED,
    ApprovalRequest,
    InvalidRequest,
    RecordedCancellation,
    RecordedDecision,
    approval_id_for,
    utc_timestamp,
)
from bot.people import Person
from bot.workflow import status as workflow_status
from bot.workflow.progress import Progress, StageRecord
from bot.workflow.status import ACTIVE_RUNTIME_STATUSES, WorkflowStatus

log = logging.getLogger(__name__)


class Stage(Enum):
    UNKNOWN = "unknown"  # no such approval
    OPEN = "open"  # waiting for a decision
    DECIDING = "deciding"  # a decision arrived and is being recorded
    DECIDED = "decided"  # approved or denied
    ESCALATED = "escalated"  # the deadline passed
    CANCELLED = "cancelled"  # the requester withdrew it
    CLOSED = "closed"  # failed or terminated without an outcome


@dataclass(frozen=True)
class ApprovalState:
    """An approval as every front end sees it, plus the raw instance fields the HTTP API shows."""

    stage: Stage
    instance_id: str = ""
    request: ApprovalRequest | None = None
    decision: RecordedDecision | None = None
    cancellation: RecordedCancellation | None = None
    outcome: dict[str, Any] | None = None
    status: WorkflowStatus | None = None
    runtime_status: str = ""
    name: str | None = None
    custom_status: Any = None
    output: Any = None
    created_time: datetime | None = None
    last_updated_time: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.stage is Stage.OPEN

    @property
    def is_settled(self) -> bool:
        """The outcome is fixed (or the workflow ended without one)."""
        return self.stage in (Stage.DECIDED, Stage.ESCALATED, Stage.CANCELLED, Stage.CLOSED)

    @property
    def is_active(self) -> bool:
        return self.runtime_status in ACTIVE_RUNTIME_STATUSES

    @property
    def deadline(self) -> datetime | None:
        return self.status.deadline if self.status else None

    @property
    def requester(self) -> Person | None:
        """The requester's chat account: as they asked, else as a front end resolved it."""
        if self.request is not None and self.request.requester_account is not None:
            return self.request.requester_account
        if self.status is None:
            return None
        return self.status.requester or self.status.requester_from_messages()

    @property
    def progress(self) -> Progress | None:
        """Under a policy: the stages done and the one waiting (None without a policy)."""
        route = self.request.route if self.request is not None else None
        if route is None or self.status is None or self.status.policy_stage is None:
            return None
        return Progress(route, self.status.policy_stage, self.status.deadline,
                        tuple(StageRecord.from_json(record) for record in self.status.stages_done))

    def stage_decided_by(self, person: Person, approved: bool, stage: int | None) -> bool:
        """Under a policy: did this person's decision settle `stage` (not the last one)?"""
        progress = self.progress
        if progress is None or stage is None or stage >= len(progress.done):
            return False
        recorded = progress.done[stage].recorded
        return (recorded.decided_by is not None and recorded.decided_by.same_account(person)
                and recorded.approved is approved)

    def message(self, platform: str) -> dict[str, Any] | None:
        """The front end's own reference to the posted request, if it posted one."""
        return self.status.messages.get(platform) if self.status else None

    def decided_by(self, person: Person, approved: bool) -> bool:
        """Did this person's decision win?"""
        decision = self.decision
        return (
            self.stage is Stage.DECIDED
            and decision is not None
            and decision.decided_by is not None
            and decision.decided_by.same_account(person)
            and decision.approved is approved
        )

    def cancelled_by(self, person: Person) -> bool:
        """Did this person's cancellation win?"""
        cancellation = self.cancellation
        return (
            self.stage is Stage.CANCELLED
            and cancellation is not None
            and cancellation.cancelled_by is not None
            and cancellation.cancelled_by.same_account(person)
        )

    def http_json(self) -> dict[str, Any]:
        """What `GET /api/status/{instanceId}` shows."""
        return {
            "instanceId": self.instance_id,
            "approvalId": approval_id_for(self.instance_id),
            "name": self.name,
            "runtimeStatus": self.runtime_status,
            "customStatus": self.custom_status,
            "output": self.output,
            "createdTime": utc_timestamp(self.created_time) if self.created_time else None,
            "lastUpdatedTime": utc_timestamp(self.last_updated_time) if self.last_updated_time else None,
        }


def closed_text(state: ApprovalState, describe: Callable[[RecordedDecision], str]) -> str:
    """What to tell someone who acts on a request that is no longer open, in any chat;
    `describe` shows a decision the chat's way ("*Approved* by <@U1> at …")."""
    if state.stage is Stage.DECIDED and state.decision is not None:
        return f"This request was already {describe(state.decision)}."
    if state.stage is Stage.DECIDING:
        return "This request has already been decided; the decision is being recorded."
    if state.stage is Stage.ESCALATED:
        return "This request already expired and was escalated to senior management."
    if state.stage is Stage.CANCELLED:
        return "This request was cancelled by its requester."
    if state.stage is Stage.CLOSED:
        return "This request is closed: its workflow ended without a decision."
    return "I can't find that approval request. It may have been purged."


def classify(status: Any) -> ApprovalState:
    """Where the approval behind a DurableOrchestrationStatus stands (UNKNOWN for none)."""
    runtime = getattr(status, "runtime_status", None)
    runtime = getattr(runtime, "value", runtime)
    if not runtime:
        return ApprovalState(Stage.UNKNOWN)
    custom = _json(status.custom_status)
    output = _json(status.output)
    progress = WorkflowStatus.from_json(custom)
    # The outcome is fixed once it is in the output, or in the custom status while (or although)
    # the activity telling people about it runs (or failed).
    outcome = output if runtime == "Completed" else (progress.outcome if progress else None)
    outcome = dict(outcome) if isinstance(outcome, Mapping) else None

    def state(stage: Stage, decision: RecordedDecision | None = None,
              cancellation: RecordedCancellation | None = None) -> ApprovalState:
        return ApprovalState(
            stage,
            instance_id=status.instance_id or "",
            request=_request(getattr(status, "input_", None)),
            decision=decision,
            cancellation=cancellation,
            outcome=outcome,
            status=progress,
            runtime_status=str(runtime),
            name=status.name,
            custom_status=custom,
            output=output,
            created_time=status.created_time,
            last_updated_time=status.last_updated_time,
        )

    if outcome is not None:
        if outcome.get("status") == STATUS_ESCALATED:
            return state(Stage.ESCALATED)
        if outcome.get("status") == STATUS_CANCELLED:
            return state(Stage.CANCELLED, cancellation=RecordedCancellation.from_record(outcome.get("cancellation")))
        if isinstance(outcome.get("approval"), Mapping):
            return state(Stage.DECIDED, RecordedDecision.from_record(outcome["approval"]))
    if runtime in ACTIVE_RUNTIME_STATUSES:
        stage = progress.stage if progress else None
        if stage in (None, workflow_status.SENDING_REQUEST, workflow_status.WAITING, workflow_status.SENIOR_REVIEW):
            return state(Stage.OPEN)
        if stage == workflow_status.ESCALATING:
            return state(Stage.ESCALATED)
        return state(Stage.DECIDING)
    return state(Stage.CLOSED)


def _json(value: Any) -> Any:
    """Status fields may arrive as JSON text rather than parsed JSON."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _request(data: Any) -> ApprovalRequest | None:
    if data is None:
        return None
    try:
        return ApprovalRequest.from_input(_json(data))
    except InvalidRequest:
        log.warning("approval instance has an unreadable input")
        return None
