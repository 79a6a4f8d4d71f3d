"""The workflow's three activities (Contract 2). Thin: JSON in, Slack calls in bot.slack, JSON out.

When Slack is not configured (SLACK_BOT_TOKEN unset) each one logs and returns None, so the HTTP
API works on its own. Slack errors propagate: the orchestrator's retry policy retries them and a
persistent one fails the instance with the Slack error as its reason.
"""


import logging
from typing import Any

import azure.durable_functions as df

from bot.approvals import ApprovalRequest, parse_timestamp
from bot.config import SlackSettings, slack_settings
from bot.slack.messages import RecordedDecision
from bot.slack.notifier import PostedMessage, notifier

log = logging.getLogger(__name__)

activities = df.Blueprint()


def _configured(activity: str, approval_id: str) -> SlackSettings | None:
    settings = slack_settings()  # raises ConfigError naming a malformed setting
    if settings is None:
        log.info("%s(%s): Slack is not configured (SLACK_BOT_TOKEN unset); skipping", activity, approval_id)
    return settings


@activities.activity_trigger(input_name="payload")
async def send_approval_request(payload: dict[str, Any]) -> dict[str, Any] | None:
    """Post the request with Approve/Deny buttons; return where it landed."""
    approval_id = payload["approvalId"]
    settings = _configured("send_approval_request", approval_id)
    if settings is None:
        return None
    request = ApprovalRequest.from_input(payload["request"])
    async with notifier(settings) as slack:
        posted = await slack.post_approval_request(approval_id, request, parse_timestamp(payload["deadline"]))
    log.info("approval request %s posted to %s at %s", approval_id, posted.channel, posted.ts)
    return posted.to_output()


@activities.activity_trigger(input_name="payload")
async def process_approval(payload: dict[str, Any]) -> None:
    """Rewrite the original message to the decision (no buttons) and DM the requester."""
    approval_id = payload["approvalId"]
    settings = _configured("process_approval", approval_id)
    if settings is None:
        return None
    async with notifier(settings) as slack:
        await slack.record_decision(
            approval_id,
            ApprovalRequest.from_input(payload["request"]),
            RecordedDecision.from_record(payload["decision"]),
            PostedMessage.from_output(payload.get("message")),
        )
    return None


@activities.activity_trigger(input_name="payload")
async def escalate_approval(payload: dict[str, Any]) -> None:
    """Post to the escalation channel, mark the original expired, DM the requester."""
    approval_id = payload["approvalId"]
    settings = _configured("escalate_approval", approval_id)
    if settings is None:
        return None
    async with notifier(settings) as slack:
        await slack.escalate(
            approval_id,
            ApprovalRequest.from_input(payload["request"]),
            parse_timestamp(payload["deadline"]),
            PostedMessage.from_output(payload.get("message")),
        )
    return None
