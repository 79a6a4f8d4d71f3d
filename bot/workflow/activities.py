"""The workflow's three activities: JSON in, one front end's notifier, JSON out.

Each call names its front end; when that front end is not configured the activity logs and
returns None, so the HTTP API works on its own. Chat errors propagate: the orchestrator's retry
policy retries them and a persistent one fails the instance with the error as its reason.
"""

import logging
from typing import Any

import azure.durable_functions as df

from bot.approvals import ApprovalRequest, RecordedDecision, parse_timestamp
from bot.front_ends import notifier_for
from bot.people import SLACK
from bot.workflow.names import ESCALATE, RECORD_DECISION, SEND_REQUEST

log = logging.getLogger(__name__)

activities = df.Blueprint()


def _front_end(payload: dict[str, Any]) -> str:
    return str(payload.get("frontEnd") or SLACK)  # calls scheduled before front ends were named


def _skipped(activity: str, payload: dict[str, Any]) -> None:
    log.info("%s(%s): %s is not configured; skipping", activity, payload["approvalId"], _front_end(payload))


@activities.activity_trigger(input_name="payload", activity=SEND_REQUEST)
async def send_approval_request(payload: dict[str, Any]) -> dict[str, Any] | None:
    """Post the request with Approve / Deny; return the front end's reference to the post."""
    async with notifier_for(_front_end(payload)) as notifier:
        if notifier is None:
            return _skipped(SEND_REQUEST, payload)
        request = ApprovalRequest.from_input(payload["request"])
        return await notifier.post_request(payload["approvalId"], request, parse_timestamp(payload["deadline"]))


@activities.activity_trigger(input_name="payload", activity=RECORD_DECISION)
async def process_approval(payload: dict[str, Any]) -> None:
    """Show the decision on the posted request (no buttons) and tell the requester."""
    async with notifier_for(_front_end(payload)) as notifier:
        if notifier is None:
            return _skipped(RECORD_DECISION, payload)
        await notifier.record_decision(
            payload["approvalId"],
            ApprovalRequest.from_input(payload["request"]),
            RecordedDecision.from_record(payload["decision"]),
            payload.get("message"),
        )
    return None


@activities.activity_trigger(input_name="payload", activity=ESCALATE)
async def escalate_approval(payload: dict[str, Any]) -> None:
    """Tell senior management, mark the posted request expired, tell the requester."""
    async with notifier_for(_front_end(payload)) as notifier:
        if notifier is None:
            return _skipped(ESCALATE, payload)
        await notifier.escalate(
            payload["approvalId"],
            ApprovalRequest.from_input(payload["request"]),
            parse_timestamp(payload["deadline"]),
            payload.get("message"),
        )
    return None
