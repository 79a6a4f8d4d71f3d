"""The one workflow client every front end uses: start a request, decide or cancel it, read where it is.

Front ends (the HTTP API, Slack, Teams) turn their platform's requests into these calls; none of
them talks to the durable client directly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import azure.durable_functions as df

from bot.approvals import ApprovalRequest, Cancellation, Decision, approval_id_for
from bot.policy.settings import approval_policy
from bot.workflow import spending
from bot.workflow.backend import BackendUnavailable
from bot.workflow.instance_ids import new_instance_id
from bot.workflow.listing import InstanceFilter, Listing
from bot.workflow.names import DECISION_EVENT, MONTHLY_SPEND, ORCHESTRATOR
from bot.workflow.recording_pace import RecordingPace
from bot.workflow.repeats import REPEAT_WINDOW, repeat_prefix, repeatable_id
from bot.workflow.state import ApprovalState, Stage, classify

log = logging.getLogger(__name__)

# How long a front end waits for the orchestration to take a decision it raised before answering.
# Slack allows 3 s for the whole request.
OUTCOME_WAIT = timedelta(seconds=1)
# This process's recent pace of recording decisions, which every wait for an outcome learns from.
RECORDING_PACE = RecordingPace()


@dataclass(frozen=True)
class Started:
    approval_id: str
    instance_id: str
    deadline: datetime  # as seen from here; the orchestration's own clock is authoritative


def routed(request: ApprovalRequest) -> ApprovalRequest:
    """The request with its policy tier, when a policy is configured (as it is, unchanged, without)."""
    policy = approval_policy()
    if policy is None or request.route is not None:
        return request
    return dataclasses.replace(request, route=policy.route_for(
        request.amount, request.timeout_seconds, request.month_to_date))


class WorkflowClient:
    """The approval workflow over one durable client (the function's `durable_client_input`)."""

    def __init__(self, durable_client: Any) -> None:
        self._durable = durable_client

    async def start(self, request: ApprovalRequest, instance_id: str | None = None) -> Started:
        """Start `approval_workflow` now, under an id that begins with its requester's prefix
        (bot.workflow.instance_ids); its first activity posts the request. The request carries
        the requester's month-to-date spend and, under a policy, its tier, both resolved here once."""
        request = routed(await self.with_month_to_date(request))
        instance_id = instance_id or new_instance_id(request)
        try:
            instance_id = await self._durable.start_new(ORCHESTRATOR, instance_id, request.to_input())
        except Exception as error:  # the SDK raises bare Exceptions for unexpected answers
            log.warning("starting %s failed: %s", ORCHESTRATOR, error)
            raise BackendUnavailable(str(error)) from error
        first_wait = request.route.stages[0].deadline_seconds if request.route else request.timeout_seconds
        deadline = datetime.now(UTC) + timedelta(seconds=first_wait)
        log.info("started %s from %s", approval_id_for(instance_id), request.origin)
        return Started(approval_id_for(instance_id), instance_id, deadline)

    async def with_month_to_date(self, request: ApprovalRequest) -> ApprovalRequest:
        """The request with its requester's Approved spend this month; as it is when the figure
        can't be read (a request never waits on, or fails for, the figure)."""
        if request.month_to_date is not None:
            return request
        month = df.EntityId(MONTHLY_SPEND, spending.entity_key(request, datetime.now(UTC)))
        try:
            read = await self._durable.read_entity_state(month)
        except Exception as error:  # the SDK raises bare Exceptions for unexpected answers
            log.warning("month-to-date of %s not read: %s", month.key, error)
            return request
        spent = spending.total(read.entity_state) if read.entity_exists else 0.0
        return dataclasses.replace(request, month_to_date=spent)

    async def start_unless_repeated(self, request: ApprovalRequest) -> tuple[Started, bool]:
        """Start the request, or find the same request the same person made within a minute
        (see bot.workflow.repeats); True with the first one's ids when it was a repeat."""
        now = datetime.now(UTC)
        earlier = await self._earlier(request, now)
        if earlier is not None:
            return earlier, True
        try:
            return await self.start(request, repeatable_id(request, now)), False
        except BackendUnavailable:  # the same request, started a moment ago by a parallel repeat?
            earlier = await self._earlier(request, now)
            if earlier is None:
                raise
            return earlier, True

    async def _earlier(self, request: ApprovalRequest, now: datetime) -> Started | None:
        """The newest instance of this request created within REPEAT_WINDOW, if any."""
        where = InstanceFilter(created_from=now - REPEAT_WINDOW, id_prefix=repeat_prefix(request))
        found = [state async for state in Listing(self._durable).every(where)]
        if not found:
            return None
        state = max(found, key=lambda state: (state.created_time or now, state.instance_id))
        instance_id = state.instance_id or ""
        return Started(approval_id_for(instance_id), instance_id, state.deadline or now)

    async def state(self, instance_id: str) -> ApprovalState:
        """Where the approval stands; Stage.UNKNOWN when there is no such approval."""
        try:
            status = await self._durable.get_status(instance_id, show_input=True)
        except Exception as error:  # the SDK raises bare Exceptions for unexpected answers
            log.warning("status lookup for %s failed: %s", instance_id, error)
            raise BackendUnavailable(str(error)) from error
        if not status or (status.name or "").lower() != ORCHESTRATOR.lower():
            return ApprovalState(Stage.UNKNOWN, instance_id=instance_id)
        return classify(status)

    async def decide(self, instance_id: str, decision: Decision) -> bool:
        """Raise the decision; False when the instance is gone or unknown (raced to an end)."""
        try:
            await self._durable.raise_event(instance_id, DECISION_EVENT, decision.to_payload())
        except Exception as error:  # the SDK raises bare Exceptions for 404/410
            log.info("decision for %s not delivered: %s", instance_id, error)
            return False
        log.info("%s: decision delivered (approved=%s, via %s)", approval_id_for(instance_id),
                 decision.approved, decision.via)
        return True

    async def cancel(self, instance_id: str, cancellation: Cancellation) -> bool:
        """Raise the requester's cancellation on the decision event, so it races decisions in the
        one wait; False when the instance is gone or unknown."""
        try:
            await self._durable.raise_event(instance_id, DECISION_EVENT, cancellation.to_payload())
        except Exception as error:  # the SDK raises bare Exceptions for 404/410
            log.info("cancellation for %s not delivered: %s", instance_id, error)
            return False
        log.info("%s: cancellation delivered (via %s)", approval_id_for(instance_id), cancellation.via)
        return True

    async def wait_for_outcome(self, instance_id: str, timeout: timedelta = OUTCOME_WAIT,
                               stage: int | None = None) -> ApprovalState:
        """Re-read the instance until its outcome is fixed (or, under a policy, `stage` is past),
        or the time is up (then the last state).

        The durable client offers no notification, so this polls, starting at the pace decisions
        have lately been recorded at (bot.workflow.recording_pace): right after a decision is
        raised the orchestration has not yet run."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        give_up = started + timeout.total_seconds()
        pauses = RECORDING_PACE.pauses()
        while True:
            await asyncio.sleep(min(next(pauses), max(0.0, give_up - loop.time())))
            state = await self.state(instance_id)
            progress = state.progress
            stage_past = stage is not None and progress is not None and progress.current > stage
            if state.is_settled or stage_past or loop.time() >= give_up:
                RECORDING_PACE.observe(loop.time() - started)  # at the time-out: at least this slow
                return state
