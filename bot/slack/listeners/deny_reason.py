"""The deny-reason form's submission: check again, raise the denial, report what was recorded."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.approvals import MAX_COMMENTS_LENGTH, Decision
from bot.config import SlackSettings
from bot.slack.approval_state import wait_for_outcome
from bot.slack.deciding import NOT_DELIVERED, approver_name, may_decide
from bot.slack.modals import DENY_REASON_CALLBACK, DenyTarget, notice_modal, submitted_value
from bot.slack.orchestration import raise_decision


def register(app: Any, settings: SlackSettings) -> None:
    async def on_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], durable_client: Any) -> None:
        await deny_reason_submitted(settings, ack, body, view, durable_client)

    app.view(DENY_REASON_CALLBACK)(on_submit)


async def deny_reason_submitted(
    settings: SlackSettings,
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
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
    delivered = await raise_decision(durable_client, verdict.instance_id, decision)
    state = await wait_for_outcome(durable_client, verdict.instance_id)
    if state.decided_by(user["id"], approved=False):
        await ack()  # the form closes; process_approval rewrites the message and tells the requester
    elif state.is_settled:
        await ack(response_action="update", view=notice_modal("Not denied", state.closed_text()))
    elif not delivered:
        await ack(response_action="update", view=notice_modal("Not denied", NOT_DELIVERED))
    else:
        await ack(response_action="update", view=notice_modal(
            "Denial sent", "Your denial was sent. The request will show the decision once it is recorded."))
