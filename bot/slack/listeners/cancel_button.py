"""Cancel request, on the requester's confirmation after `/expense`.

Only the requester's own account may cancel, and only while the request waits; anyone else is
told so privately and nothing changes. The click raises the cancellation and waits for the
orchestration to record an outcome, because a decision or the deadline may have won the race:
the requester is told what was recorded. The confirmation is ephemeral, so it can be changed only
through the click's response_url; the approvers' message is rewritten by the workflow's
cancel_approval activity.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals import Cancellation
from bot.config import SlackSettings
from bot.slack import messages
from bot.slack.deciding import clicker, closed_text, may_cancel
from bot.slack.listeners.decision_buttons import Answer, replace, show_if_settled, tell
from bot.slack.messages import CANCEL_ACTION
from bot.workflow.client import WorkflowClient
from bot.workflow.deciding import CANCEL_NOT_DELIVERED, NOT_THE_REQUESTER
from bot.workflow.state import ApprovalState


def register(app: Any) -> None:
    app.action(CANCEL_ACTION)(on_cancel)


async def on_cancel(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient,
    slack_settings: SlackSettings, workflow: WorkflowClient,
) -> None:
    await ack()
    await cancel_clicked(slack_settings, body, action, respond, workflow)


async def cancel_clicked(
    settings: SlackSettings, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond,
    workflow: WorkflowClient,
) -> ApprovalState | None:
    """Cancel if the checks allow it; the state as recorded afterwards (None when refused)."""
    user = clicker(body["user"])
    approval_id = str(action.get("value") or "")
    verdict = await may_cancel(settings, workflow, approval_id, user)
    if verdict.refusal is not None or verdict.instance_id is None or verdict.state is None:
        if verdict.refusal != NOT_THE_REQUESTER:  # the requester's own confirmation: show the outcome
            await show_if_settled(Answer(respond), approval_id, verdict.state)
        await tell(respond, verdict.refusal or "That request can't be cancelled.")
        return None
    delivered = await workflow.cancel(verdict.instance_id, Cancellation(by=user.label, cancelled_by=user))
    state = await workflow.wait_for_outcome(verdict.instance_id)
    request = state.request or verdict.state.request
    if state.cancelled_by(user) and request is not None and state.cancellation is not None:
        await replace(respond, messages.cancel_confirmed(approval_id, request, state.cancellation))
    elif state.is_settled:
        await show_if_settled(Answer(respond), approval_id, state)
        await tell(respond, closed_text(state))
    elif not delivered:
        await tell(respond, CANCEL_NOT_DELIVERED)
    else:
        await tell(respond, "Your cancellation was sent. The request will show it once it is recorded.")
    return state
