""""My approvals": the requests waiting for a person's decision and their own recent requests.

Both lists come from one listing of the durable instances (bot.workflow.listing), read with the
one status reader, so a list shows what a click on it would find. Each chat shows them its own
way (the Slack App Home and `/expense list`, the Teams `list` card).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.people import Person
from bot.workflow.listing import OPEN_RUNTIME_STATUSES, InstanceFilter, Listing
from bot.workflow.state import ApprovalState

RECENT = timedelta(days=30)  # how far back "my requests" reaches
MAX_OWN = 10  # the newest of one's own requests shown
LAST = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class MyApprovals:
    waiting: list[ApprovalState]  # open requests this person may decide, oldest (most urgent) first
    own: list[ApprovalState]  # this person's requests of the last RECENT, newest first, at most MAX_OWN
    may_approve: bool


async def my_approvals(listing: Listing, person: Person, *, may_approve: bool, now: datetime) -> MyApprovals:
    """One pass over the instances created in the last RECENT serves both lists (every request
    ends within its deadline, days at most); a second query finds any older one still open."""
    since = now - RECENT
    recent, older = await asyncio.gather(
        _every(listing, InstanceFilter(created_from=since)),
        _every(listing, InstanceFilter(runtime_statuses=OPEN_RUNTIME_STATUSES, created_to=since))
        if may_approve else _nothing(),
    )
    waiting = [state for state in (*older, *recent) if may_approve and state.is_open and not _requested(state, person)]
    waiting.sort(key=lambda state: (state.deadline or state.created_time or LAST, state.instance_id))
    own = [state for state in recent if _requested(state, person)]
    own.sort(key=lambda state: (state.created_time or since, state.instance_id), reverse=True)
    return MyApprovals(waiting, own[:MAX_OWN], may_approve)


async def _every(listing: Listing, where: InstanceFilter) -> list[ApprovalState]:
    return [state async for state in listing.every(where)]


def _requested(state: ApprovalState, person: Person) -> bool:
    return state.requester is not None and state.requester.same_account(person)


async def _nothing() -> list[ApprovalState]:
    return []
