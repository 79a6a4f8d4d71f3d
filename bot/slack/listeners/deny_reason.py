"""The deny-reason form's submission: check again, raise the denial, update the message."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals import MAX_COMMENTS_LENGTH, Decision
from bot.config import SlackSettings
from bot.slack import messages
from bot.slack.approval_state import Stage, load_state
from bot.slack.deciding import approver_name, may_decide
from bot.slack.messages import RecordedDecision, SlackMessage
from bot.slack.modals import DENY_REASON_CALLBACK, DenyTarget, notice_modal, submitted_value
from bot.slack.web_client import SLACK_CALL_ERRORS
from bot.slack.orchestration import raise_decision

log = logging.getLogger(__name__)


def register(app: Any, settings: SlackSettings) -> None:
    async def on_submit(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, durable_client: Any
    ) -> None:
        await deny_reason_submitted(settings, ack, body, view, client, durable_client)

    app.view(DENY_REASON_CALLBACK)(on_submit)


async def deny_reason_submitted(
    settings: SlackSettings,
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    durable_client: Any,
) -> None:
    reason = (submitted_value(view, "reason") or "").strip()
    if not reason:
        await ack(response_action="errors", errors={"reason": "Give the requester a reason."})
        return
    if len(reason) > MAX_COMMENTS_LENGTH:
        await ack(response_action="errors", errors={"reason": f"Keep it under {MAX_COMMENTS_LENGTH} characters."})
        return
    target = DenyTarget.from_metadata(view.get("private_metadata"))
    if target is None:
        await ack(response_action="update", view=notice_modal("Not denied", "This form lost track of its request."))
        return

    user = body["user"]
    verdict = await may_decide(settings, durable_client, target.approval_id, user["id"])
    if verdict.refusal is not None or verdict.instance_id is None or verdict.state is None:
        await ack(response_action="update", view=notice_modal("Not denied", verdict.refusal or "Not possible."))
        return
    decision = Decision(approved=False, approver=approver_name(user), comments=reason, slack_user_id=user["id"])
    if not await raise_decision(durable_client, verdict.instance_id, decision):
        state = await load_state(durable_client, verdict.instance_id)
        await ack(response_action="update", view=notice_modal("Not denied", state.closed_text()))
        return
    await ack()

    request = verdict.state.request
    if request is None or not target.channel or not target.ts:
        return
    now = datetime.now(timezone.utc)
    recorded = RecordedDecision(False, decision.approver, reason, now, user["id"])
    await _update(client, target, messages.decided(target.approval_id, request, recorded))
    if not verdict.state.near_deadline(now):
        return
    after = await load_state(durable_client, verdict.instance_id)
    if after.stage is Stage.ESCALATED and after.deadline is not None:
        await _update(client, target, messages.expired(target.approval_id, request, after.deadline))


async def _update(client: AsyncWebClient, target: DenyTarget, message: SlackMessage) -> None:
    """Best effort: process_approval rewrites the message from the workflow's side anyway."""
    try:
        await client.chat_update(channel=target.channel, ts=target.ts, text=message.text, blocks=message.blocks)
    except SLACK_CALL_ERRORS as error:
        log.warning("chat.update after a denial failed: %s", error)
