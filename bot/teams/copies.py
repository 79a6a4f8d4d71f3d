"""A second card of one request, left by a re-run after a crash, brought to the outcome when seen.

Teams assigns a post's id and the Bot Connector can neither take an idempotency key nor list a
conversation's messages, so when a crash lands after Teams accepted the request card and before
the posting activity's result was stored, the re-run posts a second card that the workflow never
hears of (the recorded one is the re-run's). Nothing decides twice through it: the workflow takes
one decision. The bot learns of such a card when anyone clicks it, or when Teams refreshes it for
an approver who looks at it (cards.request_card); once the request is settled, that card is
replaced for everyone with the outcome, as the recorded card was by the workflow.
"""

from __future__ import annotations

from bot.people import TEAMS
from bot.teams import cards
from bot.teams.deciding import card_for
from bot.teams.posted import PostedCard
from bot.workflow.state import ApprovalState, Stage


def _channel(conversation_id: str) -> str:
    return conversation_id.split(";", 1)[0]  # a channel post's thread id is `<channel>;messageid=<root>`


def is_unrecorded_copy(state: ApprovalState | None, conversation_id: str | None, activity_id: str | None) -> bool:
    """Is this card (conversation, activity id) a request card the workflow did not record: one in
    the recorded card's conversation, neither that card nor the request's escalation post?"""
    if state is None or not conversation_id or not activity_id:
        return False
    recorded = PostedCard.from_output(state.message(TEAMS))
    if recorded is None or _channel(recorded.conversation_id) != _channel(conversation_id):
        return False  # not posted yet, not in Teams, or another conversation (senior management's)
    escalation = PostedCard.from_output(state.status.escalations.get(TEAMS)) if state.status else None
    known = {recorded.activity_id} | ({escalation.activity_id} if escalation is not None else set())
    return activity_id not in known


def outcome_card(approval_id: str, state: ApprovalState) -> cards.Card | None:
    """What every copy shows once the request is settled (None while it is open)."""
    if state.stage not in (Stage.DECIDED, Stage.ESCALATED, Stage.CANCELLED):
        return None
    return card_for(approval_id, state, None)
