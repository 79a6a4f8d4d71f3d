"""The approval orchestration: send the request, then the first valid decision or the deadline wins.

Deterministic by construction: time comes from `context.current_utc_datetime`, and every side
effect happens in an activity. It is replayed from history many times, so it must not do I/O.

Buffered events (SDK issue #507): an `approval_response` raised while nobody waits on it is
buffered by the SDK and handed again to *every* later wait on that name. A garbled payload
buffered like that would come back forever. So from the first instruction on, a wait for the
decision is always open: the request is sent while a wait is already racing it, and after each
invalid payload a fresh wait is opened in the same step, before the next event is read. As a
second guard the number of invalid payloads is bounded; past the bound only the deadline counts.

A notifying activity that still fails after its retries fails the instance, with the Slack error
as the reason, so a broken Slack setup is seen at once instead of hiding behind a Completed
status. The custom status keeps the outcome when one was already fixed, so the truth about the
request survives the failure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generator, NoReturn

import azure.durable_functions as df

from bot.approvals import (
    DECISION_EVENT,
    ESCALATE_ACTIVITY,
    PROCESS_APPROVAL_ACTIVITY,
    SEND_REQUEST_ACTIVITY,
    STAGE_DONE,
    STAGE_ESCALATING,
    STAGE_PROCESSING,
    STAGE_SENDING_REQUEST,
    STAGE_WAITING,
    ApprovalRequest,
    Decision,
    InvalidDecision,
    approval_id_for,
    decision_output,
    escalated_output,
    utc_timestamp,
    workflow_status,
)

logger = logging.getLogger(__name__)

# Activities talk to Slack: retry transient failures (2 s apart, 5 attempts in all).
ACTIVITY_RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=2000, max_number_of_attempts=5)

# After this many invalid decision payloads the orchestration stops listening and waits for the
# deadline only, so no payload (buffered or not) can keep it busy forever.
MAX_INVALID_RESPONSES = 50

MAX_ERROR_LENGTH = 300


class NotificationFailed(Exception):
    """A notifying activity failed on every attempt; the instance ends Failed with this reason."""


@dataclass
class _Progress:
    """What the orchestration has seen so far; rebuilt identically on every replay."""

    request: ApprovalRequest
    approval_id: str
    deadline: datetime
    stage: str = STAGE_SENDING_REQUEST
    message: dict[str, Any] | None = None
    invalid_responses: int = 0
    last_invalid_response: str | None = None
    notification_error: str | None = None
    outcome: dict[str, Any] | None = None

    @property
    def listening(self) -> bool:
        return self.invalid_responses < MAX_INVALID_RESPONSES

    @property
    def requester_slack_id(self) -> str | None:
        """The requester's Slack id: as resolved when sending, else as given in the request."""
        resolved = (self.message or {}).get("requesterSlackId")
        return resolved if isinstance(resolved, str) and resolved else self.request.requester_slack_id

    def status(self) -> dict[str, Any]:
        status = workflow_status(
            self.stage,
            self.approval_id,
            self.deadline,
            message=self.message,
            requester_slack_id=self.requester_slack_id,
            invalid_responses=self.invalid_responses,
            last_invalid_response=self.last_invalid_response,
        )
        if self.notification_error is not None:
            status["notificationError"] = self.notification_error
        if self.outcome is not None:
            status["outcome"] = self.outcome
        return status

    def read_decision(self, payload: Any) -> Decision | None:
        """The decision in a payload, or None (recorded) if it is not a valid one."""
        try:
            return Decision.from_payload(payload)
        except InvalidDecision as invalid:
            self.invalid_responses += 1
            self.last_invalid_response = invalid.message
            return None


def _short_error(error: BaseException) -> str:
    """The first line of an activity failure, without the serialized details after it."""
    text = str(error).strip()
    first_line = text.splitlines()[0].strip() if text else type(error).__name__
    return first_line[:MAX_ERROR_LENGTH]


def approval_workflow(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    """Orchestrator `approval_workflow`: one request in, exactly one outcome out."""
    request = ApprovalRequest.from_input(context.get_input())
    approval_id = approval_id_for(context.instance_id)
    deadline = context.current_utc_datetime + timedelta(seconds=request.timeout_seconds)
    progress = _Progress(request=request, approval_id=approval_id, deadline=deadline)
    context.set_custom_status(progress.status())

    send = context.call_activity_with_retry(
        SEND_REQUEST_ACTIVITY,
        ACTIVITY_RETRY,
        {
            "approvalId": approval_id,
            "instanceId": context.instance_id,
            "request": request.to_input(),
            "deadline": utc_timestamp(deadline),
        },
    )
    wait = context.wait_for_external_event(DECISION_EVENT)
    decision: Decision | None = None
    decided_at: datetime | None = None

    # 1. Send the request while already listening, so an early decision is never buffered.
    while decision is None and progress.listening and not send.is_completed:
        winner = yield context.task_any([send, wait])
        if winner is wait:
            decision = progress.read_decision(wait.result)
            if decision is None:
                wait = context.wait_for_external_event(DECISION_EVENT)
                context.set_custom_status(progress.status())
            else:
                decided_at = context.current_utc_datetime
    try:
        sent = yield send
    except Exception as error:  # retries exhausted: nobody can see the request
        _fail(context, progress, SEND_REQUEST_ACTIVITY, error)
    progress.message = sent if isinstance(sent, dict) else None

    # 2. Wait for a valid decision or the deadline, with one timer for the whole wait.
    if decision is None:
        progress.stage = STAGE_WAITING
        context.set_custom_status(progress.status())
        timer = context.create_timer(deadline)
        while decision is None and progress.listening:
            winner = yield context.task_any([wait, timer])
            if winner is timer:
                break
            decision = progress.read_decision(wait.result)
            if decision is None:
                wait = context.wait_for_external_event(DECISION_EVENT)
                context.set_custom_status(progress.status())
            else:
                decided_at = context.current_utc_datetime
        if decision is None and not timer.is_completed:
            yield timer  # no longer listening: only the deadline can end the wait
        if decision is not None:
            timer.cancel()

    # 3. Record the outcome; it is fixed now, whatever the notifying activity does.
    notice: dict[str, Any] = {"approvalId": approval_id, "request": request.to_input(), "message": progress.message}
    if decision is not None and decided_at is not None:
        progress.stage = STAGE_PROCESSING
        progress.outcome = decision_output(request, approval_id, decision, decided_at)
        activity, notice["decision"] = PROCESS_APPROVAL_ACTIVITY, decision.approval_record(decided_at)
    else:
        progress.stage = STAGE_ESCALATING
        progress.outcome = escalated_output(request, approval_id, context.current_utc_datetime)
        activity, notice["deadline"] = ESCALATE_ACTIVITY, utc_timestamp(deadline)
    context.set_custom_status(progress.status())
    yield from _notify(context, progress, activity, notice)

    output = dict(progress.outcome)
    if progress.invalid_responses:
        output["invalidResponses"] = progress.invalid_responses
    progress.stage = STAGE_DONE
    progress.outcome = output
    context.set_custom_status(progress.status())
    return output


def _notify(
    context: df.DurableOrchestrationContext, progress: _Progress, activity: str, payload: dict[str, Any]
) -> Generator[Any, Any, None]:
    """Run a notifying activity with retries; if every attempt fails, fail the instance."""
    try:
        yield context.call_activity_with_retry(activity, ACTIVITY_RETRY, payload)
    except Exception as error:
        _fail(context, progress, activity, error)


def _fail(
    context: df.DurableOrchestrationContext, progress: _Progress, activity: str, error: BaseException
) -> NoReturn:
    """Record why notifying failed in the custom status, then end the instance Failed."""
    progress.notification_error = _short_error(error)
    context.set_custom_status(progress.status())
    if not context.is_replaying:
        logger.error("%s: %s failed: %s", progress.approval_id, activity, progress.notification_error)
    raise NotificationFailed(
        f"{activity} failed after {ACTIVITY_RETRY.max_number_of_attempts} attempts: {progress.notification_error}"
    )
