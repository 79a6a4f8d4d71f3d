"""Teams' notifier (bot.workflow.notifying): post the request card, record the outcome, escalate.

The request card goes to the approvers' conversation; after the outcome is recorded the card is
replaced in place (outcome, who, when, no buttons; likewise when the requester cancels), the requester is told in their 1:1 chat, and a
request nobody decided goes to senior management's conversation with a link to the original.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from bot.approvals import ESCALATION_REASON, ApprovalRequest, RecordedCancellation, RecordedDecision
from bot.people import TEAMS
from bot.teams import cards
from bot.teams.config import TeamsSettings
from bot.teams.connector import TeamsConnector, teams_connector
from bot.teams.posted import PostedCard, message_link

log = logging.getLogger(__name__)


class TeamsNotifier:
    def __init__(self, settings: TeamsSettings, connector: TeamsConnector) -> None:
        self.settings = settings
        self.connector = connector

    async def post_request(self, approval_id: str, request: ApprovalRequest, deadline: datetime) -> dict[str, Any]:
        conversation = self.settings.approval_conversation
        activity_id = await self.connector.post(conversation, cards.request_card(approval_id, request, deadline))
        link = message_link(conversation, activity_id, self.settings.tenant_id)
        return PostedCard(conversation, activity_id, link).to_output()

    async def record_decision(
        self, approval_id: str, request: ApprovalRequest, decision: RecordedDecision, posted: dict[str, Any] | None
    ) -> None:
        card = PostedCard.from_output(posted)
        if card is not None:
            await self.connector.update(card.conversation_id, card.activity_id,
                                        cards.decided_card(approval_id, request, decision))
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
        self, approval_id: str, request: ApprovalRequest, deadline: datetime, posted: dict[str, Any] | None
    ) -> None:
        card = PostedCard.from_output(posted)
        link = card.link if card else None
        await self.connector.post(self.settings.escalation_conversation,
                                  cards.escalation_card(approval_id, request, deadline, ESCALATION_REASON, link))
        if card is not None:
            await self.connector.update(card.conversation_id, card.activity_id,
                                        cards.expired_card(approval_id, request, deadline))
        requester = request.account_on(TEAMS)
        if requester is not None:
            await self.connector.tell(requester, cards.escalation_notice(approval_id, request, deadline, link))


@asynccontextmanager
async def notifier(settings: TeamsSettings) -> AsyncIterator[TeamsNotifier]:
    async with teams_connector(settings) as connector:
        yield TeamsNotifier(settings, connector)
