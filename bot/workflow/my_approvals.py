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
    waiting, own = await asyncio.gather(
        _waiting_for(listing, person) if may_approve else _nothing(),
        _requested_by(listing, person, now - RECENT),
    )
    return MyApprovals(waiting, own, may_approve)


async def _waiting_for(listing: Listing, person: Person) -> list[ApprovalState]:
    found = [state async for state in listing.every(InstanceFilter(runtime_statuses=OPEN_RUNTIME_STATUSES))
             if state.is_open and not _requested(state, person)]
    return sorted(found, key=lambda state: (state.deadline or state.created_time or LAST, state.instance_id))


async def _requested_by(listing: Listing, person: Person, since: datetime) -> list[ApprovalState]:
    found = [state async for state in listing.every(InstanceFilter(created_from=since)) if _requested(state, person)]
    found.sort(key=lambda state: (state.created_time or since, state.instance_id), reverse=True)
    return found[:MAX_OWN]


def _requested(state: ApprovalState, person: Person) -> bool:
    return state.requester is not None and state.requester.same_account(person)


async def _nothing() -> list[ApprovalState]:
    return []
