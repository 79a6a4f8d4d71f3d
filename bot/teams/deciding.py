"""Who may decide or cancel a request from Teams, and the card a clicker gets back.

The checks and their order are every chat's (bot.workflow.deciding). A refusal changes nothing
in the workflow; the clicker gets the card back with the reason on it (an invoke answer is shown
to the clicker only). A click on a request that is no longer open gets the recorded outcome, so a
stray copy of a card is fixed by its first click.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot.approvals import MAX_APPROVER_LENGTH, RecordedDecision
from bot.people import TEAMS, Person
from bot.teams import cards, policy_cards
from bot.teams.config import TeamsSettings
from bot.workflow.client import WorkflowClient
from bot.workflow.deciding import Gate, Verdict
from bot.workflow.deciding import may_cancel as shared_may_cancel
from bot.workflow.deciding import may_decide as shared_may_decide
from bot.workflow.state import ApprovalState, Stage
from bot.workflow.state import closed_text as shared_closed_text


def teams_person(account_id: str, name: str | None) -> Person:
    """A Teams account with its display name (kept within what a name may hold)."""
    return Person(TEAMS, account_id, (name or "")[:MAX_APPROVER_LENGTH])


async def may_decide(settings: TeamsSettings, workflow: WorkflowClient, approval_id: str, user: Person) -> Verdict:
    """The shared checks (bot.workflow.deciding), with Teams' approver list."""
    return await shared_may_decide(Gate(is_approver=settings.may_approve, describe=summary), workflow, approval_id, user)


async def may_cancel(settings: TeamsSettings, workflow: WorkflowClient, approval_id: str, user: Person) -> Verdict:
    """The shared checks for a cancellation: the requester's own Teams account, while it waits."""
    return await shared_may_cancel(Gate(is_approver=settings.may_approve, describe=summary), workflow, approval_id,
                                   user)


def summary(decision: RecordedDecision) -> str:
    by = decision.decided_by.label if decision.decided_by is not None else decision.approver
    return f"{decision.verb.lower()} by {by}"


def closed_text(state: ApprovalState) -> str:
    """What to tell someone who clicks when the request is no longer open."""
    return shared_closed_text(state, summary)


def card_for(approval_id: str, state: ApprovalState | None, notice: str | None, *,
             watchers: Collection[str] = ()) -> cards.Card:
    """The request as it stands, with a line for the clicker: the outcome once settled, else the
    request with its buttons (refreshed for `watchers`, see cards.request_card)."""
    request = state.request if state is not None else None
    if request is None:
        return cards.text_card(notice or "That request can't be decided.")
    deadline: datetime | None = state.deadline if state is not None else None
    if state is not None and state.stage is Stage.DECIDED and state.decision is not None:
        return cards.decided_card(approval_id, request, state.decision, notice)
    if state is not None and state.stage is Stage.ESCALATED:
        return cards.expired_card(approval_id, request, deadline, notice)
    if state is not None and state.stage is Stage.CANCELLED and state.cancellation is not None:
        return cards.cancelled_card(approval_id, request, state.cancellation, notice)
    progress = state.progress if state is not None else None
    if progress is not None and progress.deadline is not None:
        card = policy_cards.request_in_stage(approval_id, request, progress)
        return {**card, "body": [cards.note(notice), *card["body"]]} if notice else card
    return cards.request_card(approval_id, request, deadline, notice, watchers=watchers)
