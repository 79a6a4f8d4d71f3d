"""Teams' notifier (bot.workflow.notifying): post the request card, record the outcome, escalate.

The request card goes to the approvers' conversation; after the outcome is recorded the card is
replaced in place (outcome, who, when, no buttons; likewise when the requester cancels), the requester is told in their 1:1 chat, and a
request nobody decided goes to senior management's conversation with a link to the original.

Under an approval policy the card shows the tier and the stages; a stage opening and each reminder
are replies to the request's post (`<conversation>;messageid=<id>`).

Activities run at least once, and Teams gives a bot no way to find its earlier posts (no
idempotency key, no conversation history in the Bot Connector): a re-run after a crash that
landed between Teams accepting a post and the activity's result being stored posts it again
(request cards, stage and reminder replies, escalations, notices). So each method does the calls
that are safe to repeat (updates, opening a 1:1 chat) first and its posts last, leaving that
window as short as the post itself; a repeated request card is made harmless by bot.teams.copies.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from bot.approvals import ESCALATION_REASON, ApprovalRequest, RecordedCancellation, RecordedDecision
from bot.people import TEAMS
from bot.teams import cards, policy_cards
from bot.teams.config import TeamsSettings
from bot.teams.connector import TeamsConnector, teams_connector
from bot.teams.posted import PostedCard, message_link
from bot.workflow.progress import Progress

log = logging.getLogger(__name__)


class TeamsNotifier:
    def __init__(self, settings: TeamsSettings, connector: TeamsConnector) -> None:
        self.settings = settings
        self.connector = connector

    async def post_request(self, approval_id: str, request: ApprovalRequest, deadline: datetime) -> dict[str, Any]:
        routed = request.route.channel_on(TEAMS) if request.route else None
        conversation = routed or self.settings.approval_conversation
        card = (policy_cards.request_in_stage(approval_id, request, Progress(request.route, 0, deadline))
                if request.route else cards.request_card(approval_id, request, deadline,
                                                         watchers=self.settings.approver_ids))
        activity_id = await self.connector.post(conversation, card)
        link = message_link(conversation, activity_id, self.settings.tenant_id)
        return PostedCard(conversation, activity_id, link).to_output()

    async def record_decision(
        self, approval_id: str, request: ApprovalRequest, decision: RecordedDecision, posted: dict[str, Any] | None,
        progress: Progress | None = None, escalation: dict[str, Any] | None = None,
    ) -> None:
        card = PostedCard.from_output(posted)
        if card is not None:
            await self.connector.update(card.conversation_id, card.activity_id,
                                        policy_cards.decided_in_stages(approval_id, request, decision, progress)
                                        if progress else cards.decided_card(approval_id, request, decision))
        senior = PostedCard.from_output(escalation)
        if senior is not None:
            await self.connector.update(senior.conversation_id, senior.activity_id, cards.decided_card(
                approval_id, request, decision, "Decided by senior management after escalation"))
        requester = request.account_on(TEAMS)
        if requester is not None:
            await self.connector.tell(requester, cards.decision_notice(
                approval_id, request, decision, card.link if card else None))

    async def record_cancellation(
        self, approval_id: str, request: ApprovalRequest, cancellation: RecordedCancellation,
        posted: dict[str, Any] | None,
    ) -> None:
        card = PostedCard.from_output(posted)
        if card is not None:
            await self.connector.update(card.conversation_id, card.activity_id,
                                        cards.cancelled_card(approval_id, request, cancellation))
        requester = request.account_on(TEAMS)
        if requester is not None:
            await self.connector.tell(requester, cards.cancelled_notice(
                approval_id, request, cancellation, card.link if card else None))

    async def escalate(
        self, approval_id: str, request: ApprovalRequest, deadline: datetime, posted: dict[str, Any] | None,
        progress: Progress | None = None,
    ) -> dict[str, Any] | None:
        card = PostedCard.from_output(posted)
        link = card.link if card else None
        conversation = self.settings.escalation_conversation
        if progress is not None and progress.in_senior_review:
            escalation = policy_cards.senior_escalation(approval_id, request, deadline, ESCALATION_REASON, link,
                                                        progress)
        else:
            escalation = cards.escalation_card(approval_id, request, deadline, ESCALATION_REASON, link)
        if card is not None:
            await self.connector.update(card.conversation_id, card.activity_id,
                                        cards.expired_card(approval_id, request, deadline))
        requester = request.account_on(TEAMS)
        chat = await self.connector.personal_chat(requester) if requester is not None else None
        escalation_id = await self.connector.post(conversation, escalation)
        if chat is not None:
            await self.connector.post(chat, cards.escalation_notice(approval_id, request, deadline, link))
        return PostedCard(conversation, escalation_id, None).to_output()

    async def advance_stage(
        self, approval_id: str, request: ApprovalRequest, progress: Progress, posted: dict[str, Any] | None
    ) -> None:
        card = PostedCard.from_output(posted)
        if card is None:
            return
        await self.connector.update(card.conversation_id, card.activity_id,
                                    policy_cards.request_in_stage(approval_id, request, progress))
        await self.connector.post(_thread(card), policy_cards.stage_opened(progress))

    async def remind(
        self, approval_id: str, request: ApprovalRequest, progress: Progress, reminder: int,
        posted: dict[str, Any] | None,
    ) -> None:
        card = PostedCard.from_output(posted)
        if card is not None:
            await self.connector.post(_thread(card), policy_cards.reminder(progress, reminder))

    async def close_escalation(
        self, approval_id: str, request: ApprovalRequest, decision: RecordedDecision | None, deadline: datetime,
        posted: dict[str, Any] | None, escalation: dict[str, Any] | None,
    ) -> None:
        senior = PostedCard.from_output(escalation)
        if senior is not None:
            await self.connector.update(senior.conversation_id, senior.activity_id, policy_cards.senior_closed(
                approval_id, request, deadline, ESCALATION_REASON, decision))
        card = PostedCard.from_output(posted)
        if decision is not None and card is not None:
            await self.connector.update(card.conversation_id, card.activity_id,
                                        cards.decided_card(approval_id, request, decision))


def _thread(card: PostedCard) -> str:
    """The reply thread of a channel post (a chat has no threads: the chat itself)."""
    base = card.conversation_id.split(";", 1)[0]
    return f"{base};messageid={card.activity_id}" if base.startswith("19:") else card.conversation_id


@asynccontextmanager
async def notifier(settings: TeamsSettings) -> AsyncIterator[TeamsNotifier]:
    async with teams_connector(settings) as connector:
        yield TeamsNotifier(settings, connector)
