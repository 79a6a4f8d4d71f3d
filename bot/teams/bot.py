"""The Teams bot: messages ask for approval, card buttons decide (or, for the requester, cancel). One per request, built with
the function's durable client, so nothing lives between requests in process memory."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from microsoft_agents.activity import Activity, AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue
from microsoft_agents.hosting.core import ActivityHandler, ConnectorClientBase, MessageFactory, TurnContext

from bot.people import InvalidPerson, Person
from bot.teams import cards
from bot.teams.asking import message_text, on_command, on_form
from bot.teams.cancelling import on_cancel_click
from bot.teams.clicks import Answer, on_decision_click, on_refresh
from bot.teams.config import TeamsSettings
from bot.teams.connector import TeamsCallFailed, TeamsConnector, card_activity
from bot.teams.copies import is_unrecorded_copy, outcome_card
from bot.teams.deciding import teams_person
from bot.teams.my_list import list_card, wants_list
from bot.workflow.backend import BackendUnavailable
from bot.workflow.client import WorkflowClient
from bot.workflow.listing import Listing

log = logging.getLogger(__name__)

CARD_ANSWER = "application/vnd.microsoft.card.adaptive"
DECISION_VERBS = (cards.APPROVE, cards.DENY, cards.DENY_WITH_REASON, cards.BACK)
PERSONAL = "personal"
# The clicker waits for the answer while a copy is updated; past this the copy waits for the next look.
COPY_UPDATE_SECONDS = 3
TRY_AGAIN = "Sorry, I couldn't do that just now. Please try again in a moment."


class ExpenseBot(ActivityHandler):
    def __init__(self, settings: TeamsSettings, workflow: WorkflowClient, listing: Listing) -> None:
        self.settings = settings
        self.workflow = workflow
        self.listing = listing

    async def on_message_activity(self, turn_context: TurnContext) -> None:  # type: ignore[override]
        activity = turn_context.activity
        personal = _conversation_type(activity) == PERSONAL
        if not personal and not _mentions_recipient(activity):
            return  # channels and group chats: only what is addressed to the bot
        person = _sender(activity)
        if person is None:
            return
        text = message_text(activity.remove_recipient_mention() if activity.entities else activity.text)
        if personal and wants_list(text):
            try:
                await turn_context.send_activity(card_activity(await list_card(self.settings, self.listing, person)))
            except BackendUnavailable:
                await turn_context.send_activity(MessageFactory.text(TRY_AGAIN))
            return
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
            elif verb in DECISION_VERBS or verb == cards.REFRESH:
                answer = await (on_refresh(self.settings, self.workflow, data) if verb == cards.REFRESH
                                else on_decision_click(self.settings, self.workflow, verb, data, person))
                card = answer.card
                await self._settle_copy(turn_context, str(data.get("approvalId") or ""), answer)
            elif verb == cards.CANCEL:
                card = await on_cancel_click(self.settings, self.workflow, data, person)
            else:
                card = cards.text_card("That button isn't one I know.")
        except BackendUnavailable:
            card = cards.text_card(TRY_AGAIN)
        return AdaptiveCardInvokeResponse(status_code=200, type=CARD_ANSWER, value=card)

    async def _settle_copy(self, turn_context: TurnContext, approval_id: str, answer: Answer) -> None:
        """A settled request's card that the workflow never recorded (bot.teams.copies): show the
        outcome on it for everyone, not only for whoever's click or refresh revealed it."""
        activity = turn_context.activity
        conversation_id = activity.conversation.id if activity.conversation else None
        if answer.state is None or not is_unrecorded_copy(answer.state, conversation_id, activity.reply_to_id):
            return
        settled = outcome_card(approval_id, answer.state)
        if settled is None or conversation_id is None or activity.reply_to_id is None:
            return
        try:
            await asyncio.wait_for(TeamsConnector(self.settings, self._connector_client(turn_context)).update(
                conversation_id, activity.reply_to_id, settled), COPY_UPDATE_SECONDS)
        except (TeamsCallFailed, TimeoutError) as failed:  # the next click or refresh tries again
            log.warning("a copy of %s was not brought up to date: %s", approval_id, str(failed) or "timed out")

    @staticmethod
    def _connector_client(turn_context: TurnContext) -> ConnectorClientBase:
        return (turn_context.services.get(ConnectorClientBase)  # type: ignore[type-abstract,return-value]
                or turn_context.turn_state.get("ConnectorClient"))

    async def _tell_privately(self, turn_context: TurnContext, person: Person, reply: Activity) -> None:
        """An answer to a channel message, in the asker's 1:1 chat with the bot."""
        try:
            await TeamsConnector(self.settings, self._connector_client(turn_context)).tell(person, reply)
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
