"""The approval orchestration: send the request, then the first valid decision or the deadline wins.

Deterministic by construction: time comes from `context.current_utc_datetime`, and every side
effect happens in an activity. It is replayed from history many times, so it must not do I/O.

Buffered events (SDK issue #507): an `approval_response` raised while nobody waits on it is
buffered by the SDK and handed again to *every* later wait on that name. A garbled payload
buffered like that would come back forever. So from the first instruction on, a wait for the
decision is always open: the request is sent while a wait is already racing it, and after each
invalid payload a fresh wait is opened in the same step, before the next event is read. As a
second guard the number of invalid payloads is bounded; past the bound only the deadline counts.

The request is posted on each of its front ends by one activity per front end, run side by side.
A notifying activity that still fails after its retries fails the instance, with the chat error
as the reason, so a broken Slack setup is seen at once instead of hiding behind a Completed
status. The custom status keeps the outcome when one was already fixed, so the truth about the
request survives the failure.

The requester's cancellation arrives on the decision event too, so it races decisions and the
deadline in the same wait: whichever comes first is the outcome. A cancellation by anyone but the
requester counts as an invalid payload.

Under an approval policy the request carries its route: a loop runs one wait per stage (reminders
before each stage's deadline, every pending timer cancelled by a decision), a denial or a
cancellation ends it at any stage, and after the last stage's deadline senior management may
decide the escalation.

An Approved outcome with an amount is added to the requester's month (entity `monthly_spend`,
bot.workflow.spending) by a signal sent in the episode that fixed the outcome: the signal is in
the history from then on, so a replay never sends it again, and the entity counts each approval
id once should it ever arrive twice.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Generator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

import azure.durable_functions as df

from bot.approvals import (
    ApprovalRequest,
    Cancellation,
    Decision,
    InvalidDecision,
    approval_id_for,
    cancelled_output,
    decision_output,
    escalated_output,
    parse_response,
    senior_timeout_output,
    utc_timestamp,
)
from bot.policy.model import ON_TIMEOUT_DENY
from bot.workflow import spending
from bot.workflow import status as stages
from bot.workflow.names import (
    ADVANCE_STAGE,
    CLOSE_ESCALATION,
    DECISION_EVENT,
    ESCALATE,
    MONTHLY_SPEND,
    RECORD_CANCELLATION,
    RECORD_DECISION,
    REMIND,
    SEND_REQUEST,
)
from bot.workflow.progress import Progress, StageRecord
from bot.workflow.status import NOT_POSTED_KEY, WorkflowStatus

logger = logging.getLogger(__name__)

# Activities talk to chat services: retry transient failures (2 s apart, 8 attempts in all: a chat
# service failing a quarter of its calls still gets each notice through).
ACTIVITY_RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=2000, max_number_of_attempts=8)

# After this many invalid decision payloads the orchestration stops listening and waits for the
# deadline only, so no payload (buffered or not) can keep it busy forever.
MAX_INVALID_RESPONSES = 50

MAX_ERROR_LENGTH = 300


class NotificationFailed(Exception):
    """A notifying activity failed on every attempt; the instance ends Failed with this reason."""


@dataclass
class _Approval:
    """One approval's orchestration: its request, what it has seen, and the open decision wait.
    Rebuilt identically on every replay."""

    context: df.DurableOrchestrationContext
    request: ApprovalRequest
    status: WorkflowStatus
    wait: Any = None
    decided_at: datetime | None = None

    def publish(self) -> None:
        self.context.set_custom_status(self.status.to_json())

    def listen(self) -> None:
        """Open a fresh wait for the decision event."""
        self.wait = self.context.wait_for_external_event(DECISION_EVENT)

    @property
    def listening(self) -> bool:
        return self.status.invalid_responses < MAX_INVALID_RESPONSES

    def read(self, payload: Any) -> Decision | Cancellation:
        """A decision, or the requester's cancellation; InvalidDecision for anything else,
        a cancellation by anyone but the requester included, and under a policy a decision made
        for another stage than the one waiting."""
        response = parse_response(payload)
        if isinstance(response, Cancellation) and not response.is_by_requester(self.request, self.status.requester):
            raise InvalidDecision("only the requester may cancel the request")
        if isinstance(response, Decision):
            self._check_stage(response)
        return response

    def first_decision_before(self, other: Any) -> Generator[Any, Any, Decision | Cancellation | None]:
        """The first valid decision, or None once `other` completes (or listening stopped).

        An invalid payload is counted and a fresh wait opened in the same step, so no garbled
        event can be buffered and replayed into the next wait."""
        while self.listening:
            winner = yield self.context.task_any([other, self.wait])
            if winner is not self.wait:
                return None
            try:
                decision = self.read(self.wait.result)
            except InvalidDecision as invalid:
                self.status.invalid_responses += 1
                self.status.last_invalid_response = invalid.message
                self.listen()
                self.publish()
                continue
            self.decided_at = self.context.current_utc_datetime
            return decision
        return None

    def _check_stage(self, decision: Decision) -> None:
        """A decision made while an earlier stage was open (a late second click) decides nothing."""
        current = self.status.policy_stage
        if decision.stage is not None and current is not None and decision.stage != current:
            raise InvalidDecision(f"a decision for stage {decision.stage} arrived while stage {current} was open")

    def decision_before(self, deadline: datetime, *,
                        reminding: bool) -> Generator[Any, Any, Decision | Cancellation | None]:
        """The first valid decision before the deadline, reminding the approvers at the policy's
        points on the way; every timer still pending when a decision comes is cancelled."""
        timer = self.context.create_timer(deadline)
        decision: Decision | Cancellation | None = None
        for number, moment in enumerate(self.reminder_times(deadline) if reminding else [], start=1):
            reminder = self.context.create_timer(moment)
            decision = yield from self.first_decision_before(self.context.task_any([reminder, timer]))
            if not reminder.is_completed:
                reminder.cancel()
            if decision is not None or not reminder.is_completed or timer.is_completed:
                break
            if self.request.front_ends:
                sending = self.on_every_front_end(REMIND, {**self._notice(), "reminder": number,
                                                           "deadline": utc_timestamp(deadline)})
                # A reminder that fails every retry is given up: the request still stands.
                decision = yield from self.first_decision_before(self.context.task_any([sending, timer]))
                if decision is not None or timer.is_completed:
                    break
        if decision is None and not timer.is_completed:
            decision = yield from self.first_decision_before(timer)
        if decision is not None:
            if not timer.is_completed:
                timer.cancel()
        elif not timer.is_completed:
            yield timer  # no longer listening: only the deadline can end the wait
        return decision

    def reminder_times(self, deadline: datetime) -> list[datetime]:
        """The policy's reminder points for the stage waiting, those still ahead."""
        route, index = self.request.route, self.status.policy_stage
        if route is None or index is None or index >= len(route.stages):
            return []
        length = timedelta(seconds=route.stages[index].deadline_seconds)
        now = self.context.current_utc_datetime
        moments = [deadline - length + length * point for point in route.reminders]
        return [moment for moment in moments if now < moment < deadline]

    def enter_stage(self, index: int, deadline: datetime) -> None:
        """Under a policy: the stage now waiting and its deadline (index past the last: senior)."""
        self.status.deadline = deadline
        route = self.request.route
        if route is None:
            return
        self.status.policy_stage = index
        self.status.tier = route.tier
        self.status.stage_name = self.progress().stage_name

    def record_stage(self, decision: Decision) -> None:
        assert self.decided_at is not None
        self.status.stages_done.append(
            StageRecord(self.status.stage_name or "", decision.approval_record(self.decided_at)).to_json())

    def progress(self) -> Progress:
        assert self.request.route is not None
        return Progress(self.request.route, self.status.policy_stage or 0, self.status.deadline,
                        tuple(StageRecord.from_json(record) for record in self.status.stages_done))

    def policy_record(self) -> dict[str, Any]:
        """What the output adds under a policy: which policy and tier, and each stage's decision."""
        assert self.request.route is not None
        return {"policy": self.request.route.recorded(), "stages": list(self.status.stages_done)}

    def announce(self, activity: str, extra: dict[str, Any] | None = None, *,
                 keep_as_escalations: bool = False) -> Generator[Any, Any, Decision | Cancellation | None]:
        """Tell every front end about the stage now open, listening meanwhile; an announcement
        that fails every retry fails the instance, as nobody would know the stage waits for them."""
        self.publish()
        if not self.request.front_ends:
            return None
        task = self.on_every_front_end(activity, {**self._notice(), **(extra or {})})
        decision = yield from self.first_decision_before(task)
        try:
            posted = yield task
        except Exception as error:
            _fail(self, activity, error)
        if keep_as_escalations:
            self.status.escalations = {front_end: reference for front_end, reference
                                       in zip(self.request.front_ends, posted) if isinstance(reference, dict)}
        return decision

    def _notice(self) -> dict[str, Any]:
        return {"approvalId": self.status.approval_id, "request": self.request.to_input(),
                "progress": self.progress().to_json()}

    def on_every_front_end(self, activity: str, payload: dict[str, Any]) -> Any:
        """One activity per front end of the request, with retries, side by side. Each gets its
        own front end's reference to the posted request, once there is one."""
        return self.context.task_all([
            self.context.call_activity_with_retry(activity, ACTIVITY_RETRY, {
                **payload, "frontEnd": front_end, **self._message_on(front_end)})
            for front_end in self.request.front_ends
        ])

    def _message_on(self, front_end: str) -> dict[str, Any]:
        if self.status.stage == stages.SENDING_REQUEST:
            return {}
        reference: dict[str, Any] = {"message": self.status.messages.get(front_end)}
        if self.status.escalations:
            reference["escalation"] = self.status.escalations.get(front_end)
        return reference


def approval_workflow(context: df.DurableOrchestrationContext) -> Generator[Any, Any, dict[str, Any]]:
    """Orchestrator `approval_workflow`: one request in, exactly one outcome out."""
    request = ApprovalRequest.from_input(context.get_input())
    approval_id = approval_id_for(context.instance_id)
    route = request.route
    stage_count = len(route.stages) if route else 1
    deadline = context.current_utc_datetime + timedelta(seconds=_stage_seconds(request, 0))
    approval = _Approval(context, request, WorkflowStatus(
        stages.SENDING_REQUEST, approval_id, deadline, requester=request.requester_account))
    approval.enter_stage(0, deadline)
    approval.publish()

    # 1. Post the request while already listening, so an early decision is never buffered.
    approval.listen()
    decision: Decision | Cancellation | None = None
    if request.front_ends:
        send = approval.on_every_front_end(SEND_REQUEST, {
            "approvalId": approval_id,
            "instanceId": context.instance_id,
            "request": request.to_input(),
            "deadline": utc_timestamp(deadline),
        })
        decision = yield from approval.first_decision_before(send)
        try:
            posted = yield send
        except Exception as error:  # retries exhausted: nobody can see the request
            _fail(approval, SEND_REQUEST, error)
        approval.status.messages = {
            front_end: reference for front_end, reference in zip(request.front_ends, posted)
            if isinstance(reference, dict) and NOT_POSTED_KEY not in reference
        }
        refused = [str(ref[NOT_POSTED_KEY]) for ref in posted if isinstance(ref, dict) and NOT_POSTED_KEY in ref]
        if refused:  # someone has to act first; the requester was told how
            _fail(approval, SEND_REQUEST, NotificationFailed(refused[0]))
        approval.status.requester = request.requester_account or approval.status.requester_from_messages()

    # 2. Stage by stage (one stage without a policy): a valid decision or the stage's deadline,
    #    one timer per stage, reminders before it. A denial ends the request at any stage.
    for index in range(stage_count):
        if index > 0:
            deadline = context.current_utc_datetime + timedelta(seconds=_stage_seconds(request, index))
            approval.enter_stage(index, deadline)
            approval.status.stage = stages.WAITING
            decision = yield from approval.announce(ADVANCE_STAGE)
        if decision is None:
            approval.status.stage = stages.WAITING
            approval.publish()
            decision = yield from approval.decision_before(deadline, reminding=True)
        if not isinstance(decision, Decision) or route is None:
            break  # the deadline passed, or the requester cancelled
        approval.record_stage(decision)
        if not decision.approved or index == stage_count - 1:
            break
        decision = None
        approval.listen()  # the taken decision's wait is done; the next stage gets a fresh one

    # 3. Nobody decided in time: senior management may act on the escalation, if the policy says so.
    senior_reviewed = senior_timed_out = False
    if decision is None and route is not None and route.senior is not None:
        senior_deadline = context.current_utc_datetime + timedelta(seconds=route.senior.deadline_seconds)
        stage_deadline = deadline
        approval.enter_stage(len(route.stages), senior_deadline)
        approval.status.stage = stages.SENIOR_REVIEW
        decision = yield from approval.announce(ESCALATE, {"deadline": utc_timestamp(stage_deadline)},
                                                keep_as_escalations=True)
        if decision is None:
            approval.publish()
            decision = yield from approval.decision_before(senior_deadline, reminding=False)
        if isinstance(decision, Decision):
            approval.record_stage(decision)
        senior_reviewed, senior_timed_out = True, decision is None
        deadline = stage_deadline

    # 4. Record the outcome; it is fixed now, whatever the notifying activity does.
    notice: dict[str, Any] = {"approvalId": approval_id, "request": request.to_input()}
    if isinstance(decision, Cancellation) and approval.decided_at is not None:
        approval.status.stage = stages.CANCELLING
        approval.status.outcome = cancelled_output(request, approval_id, decision, approval.decided_at)
        activity, notice["cancellation"] = RECORD_CANCELLATION, decision.record(approval.decided_at)
    elif isinstance(decision, Decision) and approval.decided_at is not None:
        approval.status.stage = stages.PROCESSING
        approval.status.outcome = decision_output(request, approval_id, decision, approval.decided_at)
        activity, notice["decision"] = RECORD_DECISION, decision.approval_record(approval.decided_at)
        if decision.approved and request.amount is not None:
            month = df.EntityId(MONTHLY_SPEND, spending.entity_key(request, approval.decided_at))
            context.signal_entity(month, spending.ADD, spending.add_input(approval_id, request.amount))
    elif senior_timed_out and route is not None and route.senior is not None:
        approval.status.stage = stages.ESCALATING
        approval.status.outcome = senior_timeout_output(
            _as_waited(request, index), approval_id, route.senior.on_timeout == ON_TIMEOUT_DENY,
            context.current_utc_datetime)
        activity, notice["outcome"] = CLOSE_ESCALATION, approval.status.outcome
    else:
        approval.status.stage = stages.ESCALATING
        approval.status.outcome = escalated_output(_as_waited(request, index), approval_id,
                                                   context.current_utc_datetime)
        activity, notice["deadline"] = ESCALATE, utc_timestamp(deadline)
    if route is not None:
        approval.status.outcome.update(approval.policy_record())
        if senior_reviewed and not isinstance(decision, Cancellation):
            approval.status.outcome["decidedAfterEscalation"] = not senior_timed_out
        notice["progress"] = approval.progress().to_json()
    approval.publish()
    yield from _notify(approval, activity, notice)

    output = dict(approval.status.outcome)
    if approval.status.invalid_responses:
        output["invalidResponses"] = approval.status.invalid_responses
    approval.status.stage = stages.DONE
    approval.status.outcome = output
    approval.publish()
    return output


def _stage_seconds(request: ApprovalRequest, index: int) -> int:
    """How long a stage waits: the policy's stage deadline, else the request's own timeout."""
    return request.route.stages[index].deadline_seconds if request.route else request.timeout_seconds


def _as_waited(request: ApprovalRequest, index: int) -> ApprovalRequest:
    """The request with the timeout its stage `index` waited, which the Escalated output reports
    (`timeoutMinutes`); without a policy that is the request's own."""
    if request.route is None:
        return request
    return dataclasses.replace(request, timeout_seconds=_stage_seconds(request, index))


def _notify(approval: _Approval, activity: str, notice: dict[str, Any]) -> Generator[Any, Any, None]:
    """Tell every front end; if a notifying activity fails on every attempt, fail the instance."""
    if not approval.request.front_ends:
        return
    try:
        yield approval.on_every_front_end(activity, notice)
    except Exception as error:
        _fail(approval, activity, error)


def _short_error(error: BaseException) -> str:
    """The first line of an activity failure, without the serialized details after it."""
    text = str(error).strip()
    first_line = text.splitlines()[0].strip() if text else type(error).__name__
    return first_line[:MAX_ERROR_LENGTH]


def _fail(approval: _Approval, activity: str, error: BaseException) -> NoReturn:
    """Record why notifying failed in the custom status, then end the instance Failed."""
    approval.status.notification_error = _short_error(error)
    approval.publish()
    if not approval.context.is_replaying:
        logger.error("%s: %s failed: %s", approval.status.approval_id, activity, approval.status.notification_error)
    raise NotificationFailed(
        f"{activity} failed after {ACTIVITY_RETRY.max_number_of_attempts} attempts: {approval.status.notification_error}"
    )
