"""Approve / Deny clicks on a request message.

Approve raises the decision, waits for the orchestration to record the outcome, and replaces the
buttons with it within the ack; Deny opens the reason form (its trigger_id lives 3 s). Refusals
are ephemeral and raise nothing. The orchestration is the truth: a clicker whose decision lost a
race (to another click or to the deadline) is told who won, never that they decided.

A click on a request that is already settled also rewrites the clicked message to the outcome:
it may be a copy the workflow never knew about (posted twice around a crash), whose buttons
would otherwise stay live forever.

The same buttons appear on the App Home tab and in `/expense list`. A click on the tab carries no
response_url: its answer is the tab itself, republished with the answer on top. Other tabs are
republished by the notifying activity, outside the click's 3 s.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.approvals import Decision
from bot.config import SlackSettings
from bot.shared_session import shared_session
from bot.slack import messages, policy_messages
from bot.slack.deciding import clicker, closed_text, may_decide, settled_message
from bot.slack.home_tab import publish_home
from bot.slack.messages import APPROVE_ACTION, DENY_ACTION, SlackMessage
from bot.slack.modals import DenyTarget, deny_reason_modal
from bot.slack.web_client import ACK_PATH_TIMEOUT_SECONDS, SLACK_CALL_ERRORS
from bot.workflow.client import WorkflowClient
from bot.workflow.deciding import NOT_DELIVERED
from bot.workflow.listing import Listing
from bot.workflow.state import ApprovalState

log = logging.getLogger(__name__)

VIEWS_OPEN_ERRORS: tuple[type[Exception], ...] = (*SLACK_CALL_ERRORS, KeyError)  # KeyError: no trigger_id
# No or a mangled response_url, or Slack unreachable.
RESPONSE_URL_ERRORS: tuple[type[Exception], ...] = (ValueError, TypeError, *SLACK_CALL_ERRORS)


def register(app: Any) -> None:
    app.action(APPROVE_ACTION)(on_approve)
    app.action(DENY_ACTION)(on_deny)


class Answer:
    """Where a click is answered: the clicked message (through its response_url) or the App Home tab."""

    def __init__(self, respond: AsyncRespond, home: HomeAnswer | None = None) -> None:
        self._respond = respond
        self._home = home

    @property
    def on_home(self) -> bool:
        return self._home is not None

    async def tell(self, text: str) -> None:
        """A private answer to the clicker."""
        if self._home is not None:
            await self._home.show(text)
        else:
            await tell(self._respond, text)

    async def replace(self, message: SlackMessage) -> None:
        """Show the request as it now stands in place of the clicked one."""
        if self._home is not None:
            await self._home.show(message.text)
        else:
            await replace(self._respond, message)


@dataclass(frozen=True)
class HomeAnswer:
    client: AsyncWebClient
    settings: SlackSettings
    listing: Listing
    user_id: str

    async def show(self, notice: str) -> None:
        await publish_home(self.client, self.settings, self.listing, self.user_id, notice)


def answer_for(body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient, settings: SlackSettings,
               listing: Listing) -> Answer:
    view = body.get("view")
    on_home = isinstance(view, dict) and view.get("type") == "home"
    return Answer(respond, HomeAnswer(client, settings, listing, body["user"]["id"]) if on_home else None)


async def on_approve(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient,
    slack_settings: SlackSettings, workflow: WorkflowClient, listing: Listing,
) -> None:
    await ack()
    answer = answer_for(body, respond, client, slack_settings, listing)
    await approve_clicked(slack_settings, body, action, answer, client, workflow)


async def on_deny(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient,
    slack_settings: SlackSettings, workflow: WorkflowClient, listing: Listing,
) -> None:
    await ack()
    await deny_clicked(slack_settings, body, action, answer_for(body, respond, client, slack_settings, listing),
                       client, workflow)


async def approve_clicked(
    settings: SlackSettings, body: dict[str, Any], action: dict[str, Any], answer: Answer,
    client: AsyncWebClient, workflow: WorkflowClient,
) -> ApprovalState | None:
    """Decide if the checks allow it; the state as recorded afterwards (None when refused)."""
    user = clicker(body["user"])
    approval_id = str(action.get("value") or "")
    verdict = await may_decide(settings, workflow, approval_id, user, client)
    if verdict.refusal is not None or verdict.instance_id is None or verdict.state is None:
        await show_if_settled(answer, approval_id, verdict.state)
        await answer.tell(verdict.refusal or "That request can't be decided.")
        return None
    decision = Decision(approved=True, approver=user.label, decided_by=user, stage=verdict.stage)
    delivered = await workflow.decide(verdict.instance_id, decision)
    # Tell the clicker only what the orchestration recorded: another click or the deadline may
    # have won the race.
    state = await workflow.wait_for_outcome(verdict.instance_id, stage=verdict.stage)
    request = state.request or verdict.state.request
    progress = state.progress
    if state.decided_by(user, approved=True) and request is not None and state.decision is not None:
        await answer.replace(messages.decided(approval_id, request, state.decision) if progress is None
                             else policy_messages.decided_in_stages(approval_id, request, state.decision, progress))
    elif state.stage_decided_by(user, True, verdict.stage) and request is not None and progress is not None:
        await answer.replace(policy_messages.request_in_stage(approval_id, request, progress))
        await answer.tell(f"Your approval is recorded; the request now waits for the {progress.stage_name} stage.")
    elif state.is_settled:
        await show_if_settled(answer, approval_id, state)
        await answer.tell(closed_text(state))
    elif not delivered:
        await answer.tell(NOT_DELIVERED)
    else:
        await answer.tell("Your approval was sent. The request will show the decision once it is recorded.")
    return state


async def deny_clicked(
    settings: SlackSettings,
    body: dict[str, Any],
    action: dict[str, Any],
    answer: Answer,
    client: AsyncWebClient,
    workflow: WorkflowClient,
) -> None:
    approval_id = str(action.get("value") or "")
    verdict = await may_decide(settings, workflow, approval_id, clicker(body["user"]), client)
    if verdict.refusal is not None or verdict.state is None or verdict.state.request is None:
        await show_if_settled(answer, approval_id, verdict.state)
        await answer.tell(verdict.refusal or "That request can't be decided.")
        return
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    target = DenyTarget(approval_id, channel, ts)
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=deny_reason_modal(target, verdict.state.request))
    except VIEWS_OPEN_ERRORS as error:
        log.warning("views.open for the deny reason failed: %s", error)
        await answer.tell("I couldn't open the form for the reason. Please click Deny again.")


async def show_if_settled(answer: Answer, approval_id: str, state: ApprovalState | None) -> None:
    """Rewrite the clicked message to the recorded outcome when there is one."""
    outcome = settled_message(approval_id, state)
    if outcome is not None:
        await answer.replace(outcome)


async def tell(respond: AsyncRespond, text: str) -> None:
    """An ephemeral answer to the clicker only."""
    await _send(respond, text=text, response_type="ephemeral", replace_original=False)


async def replace(respond: AsyncRespond, message: SlackMessage) -> None:
    """Replace the clicked message (buttons and all)."""
    await _send(respond, text=message.text, blocks=message.blocks, replace_original=True)


async def _send(respond: AsyncRespond, **payload: Any) -> None:
    """Post to the click's response_url over the loop's shared session (Bolt's respond() would
    open a new session and connection for every post)."""
    try:
        if not isinstance(respond.response_url, str):
            raise ValueError("the click carries no response_url")
        webhook = AsyncWebhookClient(respond.response_url, session=await shared_session(ACK_PATH_TIMEOUT_SECONDS))
        response = await webhook.send(**payload)
    except RESPONSE_URL_ERRORS as error:
        log.warning("response_url post failed: %s", error)
        return
    if response.status_code >= 400:
        log.warning("response_url answered %s: %s", response.status_code, response.body)
