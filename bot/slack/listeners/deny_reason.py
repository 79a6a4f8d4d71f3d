"""The deny-reason form's submission: check again, raise the denial, report what was recorded,
and refresh the App Home tabs it changed."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals import MAX_COMMENTS_LENGTH, Decision
from bot.config import SlackSettings
from bot.slack.deciding import clicker, closed_text, may_decide
from bot.slack.modals import DENY_REASON_CALLBACK, DenyTarget, notice_modal, submitted_value
from bot.workflow.client import WorkflowClient
from bot.workflow.deciding import NOT_DELIVERED


def register(app: Any) -> None:
    app.view(DENY_REASON_CALLBACK)(deny_reason_submitted)


async def deny_reason_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    slack_settings: SlackSettings,
    workflow: WorkflowClient,
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

    user = clicker(body["user"])
    verdict = await may_decide(slack_settings, workflow, target.approval_id, user, client)
    if verdict.refusal is not None or verdict.instance_id is None or verdict.state is None:
        await ack(response_action="update", view=notice_modal("Not denied", verdict.refusal or "Not possible."))
        return
    decision = Decision(approved=False, approver=user.label, comments=reason, decided_by=user, stage=verdict.stage)
    delivered = await workflow.decide(verdict.instance_id, decision)
    state = await workflow.wait_for_outcome(verdict.instance_id)
    if state.decided_by(user, approved=False):
        await ack()  # the form closes; process_approval rewrites the message and tells the requester
    elif state.is_settled:
        await ack(response_action="update", view=notice_modal("Not denied", closed_text(state)))
    elif not delivered:
        await ack(response_action="update", view=notice_modal("Not denied", NOT_DELIVERED))
    else:
        await ack(response_action="update", view=notice_modal(
            "Denial sent", "Your denial was sent. The request will show the decision once it is recorded."))
