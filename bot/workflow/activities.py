"""The workflow's activities: JSON in, one front end's notifier, JSON out.

Each call names its front end; when that front end is not configured the activity logs and
returns None, so the HTTP API works on its own. Chat errors propagate: the orchestrator's retry
policy retries them and a persistent one fails the instance with the error as its reason.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import azure.durable_functions as df

from bot.approvals import STATUS_ESCALATED, ApprovalRequest, RecordedCancellation, RecordedDecision, parse_timestamp
from bot.front_ends import notifier_for
from bot.people import SLACK
from bot.workflow.listing import Listing
from bot.workflow.names import (
    ADVANCE_STAGE,
    CLOSE_ESCALATION,
    ESCALATE,
    RECORD_CANCELLATION,
    RECORD_DECISION,
    REMIND,
    SEND_REQUEST,
)
from bot.workflow.notifying import Notifier
from bot.workflow.progress import Progress

log = logging.getLogger(__name__)

activities = df.Blueprint()

T = TypeVar("T")


def _front_end(payload: dict[str, Any]) -> str:
    return str(payload.get("frontEnd") or SLACK)  # calls scheduled before front ends were named


async def _on_front_end(activity: str, payload: dict[str, Any], act: Callable[[Notifier], Awaitable[T]],
                        client: Any = None) -> T | None:
    """Run `act` with the payload's front end's notifier; skip (None) when it is not configured.
    With the activity's durable `client`, the notifier can refresh people's own lists."""
    listing = Listing(client) if client is not None else None
    async with notifier_for(_front_end(payload), listing=listing) as notifier:
        if notifier is None:
            log.info("%s(%s): %s is not configured; skipping", activity, payload["approvalId"], _front_end(payload))
            return None
        return await act(notifier)


def _request(payload: dict[str, Any]) -> ApprovalRequest:
    return ApprovalRequest.from_input(payload["request"])


def _progress(payload: dict[str, Any]) -> Progress | None:
    return Progress.from_json(payload.get("progress"))


def _policy_call(payload: dict[str, Any]) -> tuple[ApprovalRequest, Progress]:
    progress = _progress(payload)
    if progress is None:
        raise ValueError(f"{payload.get('approvalId')}: this call needs the request's policy progress")
    return _request(payload), progress


@activities.activity_trigger(input_name="payload", activity=SEND_REQUEST)
async def send_approval_request(payload: dict[str, Any]) -> dict[str, Any] | None:
    """Post the request with Approve / Deny; return the front end's reference to the post."""
    return await _on_front_end(SEND_REQUEST, payload, lambda notifier: notifier.post_request(
        payload["approvalId"], _request(payload), parse_timestamp(payload["deadline"])))


@activities.activity_trigger(input_name="payload", activity=RECORD_DECISION)
@activities.durable_client_input(client_name="client")
async def process_approval(payload: dict[str, Any], client: df.DurableOrchestrationClient) -> None:
    """Show the decision on the posted request (no buttons) and tell the requester."""
    progress = _progress(payload)
    await _on_front_end(RECORD_DECISION, payload, lambda notifier: notifier.record_decision(
        payload["approvalId"], _request(payload), RecordedDecision.from_record(payload["decision"]),
        payload.get("message"), progress=progress, escalation=payload.get("escalation")), client)


@activities.activity_trigger(input_name="payload", activity=ESCALATE)
@activities.durable_client_input(client_name="client")
async def escalate_approval(payload: dict[str, Any], client: df.DurableOrchestrationClient) -> dict[str, Any] | None:
    """Tell senior management, mark the posted request expired, tell the requester; under a policy
    letting senior management decide, the escalation carries Approve / Deny and its reference
    comes back."""
    progress = _progress(payload)
    return await _on_front_end(ESCALATE, payload, lambda notifier: notifier.escalate(
        payload["approvalId"], _request(payload), parse_timestamp(payload["deadline"]), payload.get("message"),
        progress=progress), client)


@activities.activity_trigger(input_name="payload", activity=ADVANCE_STAGE)
async def advance_approval_stage(payload: dict[str, Any]) -> None:
    """Show the stage done and the stage now waiting; tell that stage's approvers."""
    request, progress = _policy_call(payload)
    await _on_front_end(ADVANCE_STAGE, payload, lambda notifier: notifier.advance_stage(
        payload["approvalId"], request, progress, payload.get("message")))


@activities.activity_trigger(input_name="payload", activity=REMIND)
async def remind_approvers(payload: dict[str, Any]) -> None:
    """One reminder to the waiting stage's approvers, beside the request."""
    request, progress = _policy_call(payload)
    await _on_front_end(REMIND, payload, lambda notifier: notifier.remind(
        payload["approvalId"], request, progress, int(payload["reminder"]), payload.get("message")))


@activities.activity_trigger(input_name="payload", activity=CLOSE_ESCALATION)
@activities.durable_client_input(client_name="client")
async def close_escalation(payload: dict[str, Any], client: df.DurableOrchestrationClient) -> None:
    """Senior management did not decide in time: close the escalation as the policy says."""
    request, progress = _policy_call(payload)
    outcome = payload["outcome"]
    decision = None if outcome.get("status") == STATUS_ESCALATED else RecordedDecision.from_record(outcome["approval"])
    stage_deadline = progress.deadline or parse_timestamp(outcome.get("escalatedAt") or outcome["decidedAt"])
    await _on_front_end(CLOSE_ESCALATION, payload, lambda notifier: notifier.close_escalation(
        payload["approvalId"], request, decision, stage_deadline, payload.get("message"), payload.get("escalation")), client)


@activities.activity_trigger(input_name="payload", activity=RECORD_CANCELLATION)
@activities.durable_client_input(client_name="client")
async def cancel_approval(payload: dict[str, Any], client: df.DurableOrchestrationClient) -> None:
    """Show the cancellation on the posted request (no buttons) and tell the requester."""
    await _on_front_end(RECORD_CANCELLATION, payload, lambda notifier: notifier.record_cancellation(
        payload["approvalId"], _request(payload), RecordedCancellation.from_record(payload["cancellation"]),
        payload.get("message")), client)
