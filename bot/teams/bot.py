"""The Teams bot: messages ask for approval, card buttons decide (or, for the requester, cancel). One per request, built with
the function's durable client, so nothing lives between requests in process memory."""

from __future__ import annotations

import logging
from typing import Any

from microsoft_agents.activity import Activity, AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue
from microsoft_agents.hosting.core import ActivityHandler, ConnectorClientBase, MessageFactory, TurnContext

from bot.people import InvalidPerson, Person
from bot.teams import cards
from bot.teams.asking import message_text, on_command, on_form
from bot.teams.cancelling import on_cancel_click
from bot.teams.clicks import on_decision_click
from bot.teams.config import TeamsSettings
from bot.teams.connector import TeamsCallFailed, TeamsConnector, card_activity
from bot.teams.deciding import teams_person
from bot.workflow.client import BackendUnavailable, WorkflowClient

log = logging.getLogger(__name__)

CARD_ANSWER = "application/vnd.microsoft.card.adaptive"
DECISION_VERBS = (cards.APPROVE, cards.DENY, cards.DENY_WITH_REASON, cards.BACK)
PERSONAL = "personal"
TRY_AGAIN = "Sorry, I couldn't do that just now. Please try again in a moment."


class ExpenseBot(ActivityHandler):
    def __init__(self, settings: TeamsSettings, workflow: WorkflowClient) -> None:
        self.settings = settings
        self.workflow = workflow

    async def on_message_activity(self, turn_context: TurnContext) -> None:  # type: ignore[override]
        activity = turn_context.activity
        personal = _conversation_type(activity) == PERSONAL
        if not personal and not _mentions_recipient(activity):
            return  # channels and group chats: only what is addressed to the bot
        person = _sender(activity)
        if person is None:
            return
        text = message_text(activity.remove_recipient_mention() if activity.entities else activity.text)
        answer = await on_command(self.workflow, person, text)
        if answer is None:
            return
        reply = MessageFactory.text(answer) if isinstance(answer, str) else card_activity(answer)
        if personal:
            await turn_context.send_activity(reply)
        else:
            await self._tell_privately(turn_context, person, reply)

    async def on_adaptive_card_invoke(self, turn_context: TurnContext,  # type: ignore[override]
                                      invoke_value: AdaptiveCardInvokeValue) -> AdaptiveCardInvokeResponse:
        verb = invoke_value.action.verb or ""
        data: dict[str, Any] = dict(invoke_value.action.data or {})
        person = _sender(turn_context.activity)
        try:
            if person is None:
                card = cards.text_card("I can't tell who clicked.")
            elif verb == cards.NEW_EXPENSE:
                card = await on_form(self.workflow, person, data)
            elif verb in DECISION_VERBS:
                card = await on_decision_click(self.settings, self.workflow, verb, data, person)
            elif verb == cards.CANCEL:
                card = await on_cancel_click(self.settings, self.workflow, data, person)
            else:
                card = cards.text_card("That button isn't one I know.")
        except BackendUnavailable:
            card = cards.text_card(TRY_AGAIN)
        return AdaptiveCardInvokeResponse(status_code=200, type=CARD_ANSWER, value=card)

    async def _tell_privately(self, turn_context: TurnContext, person: Person, reply: Activity) -> None:
        """An answer to a channel message, in the asker's 1:1 chat with the bot."""
        client: ConnectorClientBase = (turn_context.services.get(ConnectorClientBase)  # type: ignore[type-abstract,assignment]
                                       or turn_context.turn_state.get("ConnectorClient"))
        try:
            await TeamsConnector(self.settings, client).tell(person, reply)
        except TeamsCallFailed as failed:
            log.warning("private answer not delivered: %s", failed)


def _conversation_type(activity: Activity) -> str:
    conversation = activity.conversation
    return (conversation.conversation_type if conversation and conversation.conversation_type else PERSONAL)


def _mentions_recipient(activity: Activity) -> bool:
    recipient = activity.recipient.id if activity.recipient else None
    return any(mention.mentioned and mention.mentioned.id == recipient for mention in activity.get_mentions())


def _sender(activity: Activity) -> Person | None:
    sender = activity.from_property
    if sender is None or not sender.id:
        return None
    try:
        return teams_person(sender.id, sender.name)
    except InvalidPerson:
        log.warning("a Teams activity from an account id this app does not accept")
        return None
