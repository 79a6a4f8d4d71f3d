"""Where an approval stands, read from its orchestration through the durable client.

Listeners consult this before raising an event so a second click, a click after the deadline or a
click on an unknown id gets a clear answer instead of a silent no-op or an error.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from bot.approvals import (
    STAGE_ESCALATING,
    STAGE_SENDING_REQUEST,
    STAGE_WAITING,
    STATUS_ESCALATED,
    ApprovalRequest,
    InvalidRequest,
    parse_timestamp,
)
from bot.slack import messages
from bot.slack.messages import RecordedDecision, SlackMessage
from bot.slack.notifier import PostedMessage

log = logging.getLogger(__name__)

# How long a click waits for the orchestration to take its decision before answering. Slack
# allows 3 s for the whole request.
OUTCOME_WAIT = timedelta(seconds=1)
# Pauses between reads of the instance while waiting: the first, doubling up to the last.
FIRST_OUTCOME_READ_AFTER = 0.003
MAX_OUTCOME_READ_PAUSE = 0.1


class Stage(Enum):
    UNKNOWN = "unknown"  # no such instance
    OPEN = "open"  # waiting for a decision
    DECIDING = "deciding"  # a decision arrived and is being recorded
    DECIDED = "decided"  # approved or denied
    ESCALATED = "escalated"  # the deadline passed
    CLOSED = "closed"  # failed or terminated without an outcome


@dataclass(frozen=True)
class ApprovalState:
    stage: Stage
    request: ApprovalRequest | None = None
    decision: RecordedDecision | None = None
    deadline: datetime | None = None
    message: PostedMessage | None = None
    requester_slack_id: str | None = None

    @property
    def is_open(self) -> bool:
        return self.stage is Stage.OPEN

    @property
    def is_settled(self) -> bool:
        """The outcome is fixed (or the workflow ended without one)."""
        return self.stage in (Stage.DECIDED, Stage.ESCALATED, Stage.CLOSED)

    def decided_by(self, slack_user_id: str, approved: bool) -> bool:
        """Did this user's decision win?"""
        return (
            self.stage is Stage.DECIDED
            and self.decision is not None
            and self.decision.slack_user_id == slack_user_id
            and self.decision.approved is approved
        )

    def outcome_message(self, approval_id: str) -> SlackMessage | None:
        """The request message as it must read once settled (no buttons), if there is one."""
        if self.request is None:
            return None
        if self.stage is Stage.DECIDED and self.decision is not None:
            return messages.decided(approval_id, self.request, self.decision)
        if self.stage is Stage.ESCALATED and self.deadline is not None:
            return messages.expired(approval_id, self.request, self.deadline)
        return None

    def closed_text(self) -> str:
        """What to tell someone who clicks when the request is no longer open."""
        if self.stage is Stage.DECIDED and self.decision is not None:
            return f"This request was already {self.decision.summary()}."
        if self.stage is Stage.DECIDING:
            return "This request has already been decided; the decision is being recorded."
        if self.stage is Stage.ESCALATED:
            return "This request already expired and was escalated to senior management."
        if self.stage is Stage.CLOSED:
            return "This request is closed: its workflow ended without a decision."
        return "I can't find that approval request. It may have been purged."


async def load_state(durable_client: Any, instance_id: str) -> ApprovalState:
    """Read the instance's status (with input) and classify it."""
    return classify(await durable_client.get_status(instance_id, show_input=True))


def classify(status: Any) -> ApprovalState:
    """Where the approval behind a DurableOrchestrationStatus stands."""
    runtime = getattr(status.runtime_status, "value", status.runtime_status)
    if not runtime:
        return ApprovalState(Stage.UNKNOWN)

    request = _request(status.input_)
    custom = _json(status.custom_status)
    custom = custom if isinstance(custom, Mapping) else {}
    deadline = _deadline(custom.get("deadline"))
    message = PostedMessage.from_output(custom.get("message"))
    requester_slack_id = custom.get("requesterSlackId") or (request.requester_slack_id if request else None)
    if not isinstance(requester_slack_id, str):
        requester_slack_id = None

    def state(stage: Stage, decision: RecordedDecision | None = None) -> ApprovalState:
        return ApprovalState(stage, request, decision, deadline, message, requester_slack_id)

    # The outcome is fixed once it is in the output, or in the custom status while (or although)
    # the activity telling Slack about it runs (or failed).
    fixed = _from_output(_json(status.output) if runtime == "Completed" else custom.get("outcome"))
    if fixed is not None:
        return state(*fixed)
    if runtime in ("Running", "Pending", "ContinuedAsNew", "Suspended"):
        stage = custom.get("stage")
        if stage in (None, STAGE_SENDING_REQUEST, STAGE_WAITING):
            return state(Stage.OPEN)
        if stage == STAGE_ESCALATING:
            return state(Stage.ESCALATED)
        return state(Stage.DECIDING)
    return state(Stage.CLOSED)


def _from_output(output: Any) -> tuple[Stage, RecordedDecision | None] | None:
    """The stage an orchestration output (or the outcome in its custom status) stands for."""
    if not isinstance(output, Mapping):
        return None
    if output.get("status") == STATUS_ESCALATED:
        return Stage.ESCALATED, None
    approval = output.get("approval")
    if isinstance(approval, Mapping):
        return Stage.DECIDED, RecordedDecision.from_record(approval)
    return None


async def wait_for_outcome(durable_client: Any, instance_id: str, timeout: timedelta = OUTCOME_WAIT) -> ApprovalState:
    """Re-read the instance until its outcome is fixed, or the time is up (then the last state).

    The durable client offers no notification, so this polls, quickly at first. The first read
    waits a moment: right after the decision is raised the orchestration has not yet run, and a
    read then (a round trip to the durable API) would almost always be wasted."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout.total_seconds()
    pause = FIRST_OUTCOME_READ_AFTER
    while True:
        await asyncio.sleep(min(pause, max(0.0, give_up - loop.time())))
        state = await load_state(durable_client, instance_id)
        if state.is_settled or loop.time() >= give_up:
            return state
        pause = min(pause * 2, MAX_OUTCOME_READ_PAUSE)


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
        return ApprovalRequest.from_input(data)
    except InvalidRequest:
        log.warning("approval instance has an unreadable input")
        return None


def _deadline(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return parse_timestamp(text)
    except ValueError:
        return None
