""""My approvals": the requests waiting for a person's decision and their own recent requests.

Both lists come from listings of the durable instances (bot.workflow.listing), read with the
one status reader, so a list shows what a click on it would find: the open requests, whoever
made them, and the person's own recent ones, found by their id prefix (bot.workflow.instance_ids).
Neither reads the settled requests of everyone else, which are most of them. Each chat shows
them its own way (the Slack App Home and `/expense list`, the Teams `list` card).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.people import Person
from bot.policy.settings import approval_policy
from bot.workflow.instance_ids import named_prefix, person_prefix
from bot.workflow.listing import OPEN_RUNTIME_STATUSES, InstanceFilter, Listing
from bot.workflow.state import ApprovalState

RECENT = timedelta(days=30)  # how far back "my requests" reaches
MAX_OWN = 10  # the newest of one's own requests shown
LAST = datetime.max.replace(tzinfo=UTC)

InGroup = Callable[[str, Person], Awaitable[bool]]  # is this person in that (Slack user) group?
NamesOf = Callable[[Person], Awaitable[tuple[str, ...]]]  # the names (emails) they may have requested in


@dataclass(frozen=True)
class MyApprovals:
    waiting: list[ApprovalState]  # open requests this person may decide now, oldest (most urgent) first
    own: list[ApprovalState]  # this person's requests of the last RECENT, newest first, at most MAX_OWN
    may_approve: bool  # an approver at all: the "waiting for you" list is shown, even when empty


async def my_approvals(listing: Listing, person: Person, *, is_approver: Callable[[str], bool], now: datetime,
                       in_group: InGroup | None = None, names_of: NamesOf | None = None) -> MyApprovals:
    """The open requests (any age), and this person's own created in the last RECENT: made from
    their chat account, or over the HTTP API in one of the names `names_of` finds (their email)
    when a front end has since tied the request to that account. The names are looked up while
    the other lists are read.

    A request waits for this person when they may decide it now, by the same rule as a click:
    the chat's approver list (`is_approver`), or under a policy the approvers of the stage that
    waits (`in_group` answers for the user groups listed there)."""
    since = now - RECENT

    async def open_now() -> list[ApprovalState]:
        if not _may_decide_any(person, is_approver):
            return []
        return await _every(listing, InstanceFilter(runtime_statuses=OPEN_RUNTIME_STATUSES))

    async def own_by(prefix: str) -> list[ApprovalState]:
        return await _every(listing, InstanceFilter(created_from=since, id_prefix=prefix))

    async def own_by_name() -> list[ApprovalState]:
        names = await names_of(person) if names_of is not None else ()
        found = await asyncio.gather(*(own_by(prefix) for prefix in dict.fromkeys(map(named_prefix, names))))
        return [state for states in found for state in states]

    open_requests, own_by_account, own_named = await asyncio.gather(
        open_now(), own_by(person_prefix(person)), own_by_name())
    deciders = _Deciders(person, is_approver, in_group)
    waiting = [state for state in open_requests
               if state.is_open and not _requested(state, person) and await deciders.may_decide(state)]
    waiting.sort(key=lambda state: (state.deadline or state.created_time or LAST, state.instance_id))
    own = [state for state in (*own_by_account, *own_named) if _requested(state, person)]
    own.sort(key=lambda state: (state.created_time or since, state.instance_id), reverse=True)
    return MyApprovals(waiting, own[:MAX_OWN], is_approver(person.id) or bool(waiting))


class _Deciders:
    """May this person decide a request now? Each user group is asked about once per listing."""

    def __init__(self, person: Person, is_approver: Callable[[str], bool], in_group: InGroup | None) -> None:
        self.person, self.is_approver, self.in_group = person, is_approver, in_group
        self.groups: dict[str, bool] = {}

    async def may_decide(self, state: ApprovalState) -> bool:
        progress = state.progress
        if progress is None:
            return self.is_approver(self.person.id)
        if progress.approvers.includes(self.person):
            return True
        for group in progress.approvers.groups_on(self.person.platform):
            if self.in_group is not None and group not in self.groups:
                self.groups[group] = await self.in_group(group, self.person)
            if self.groups.get(group):
                return True
        return False


def _may_decide_any(person: Person, is_approver: Callable[[str], bool]) -> bool:
    """Can anything wait for this person? Without a policy only the chat's approvers decide; under
    one, the stage that waits names who may (and requests carry the route they started with)."""
    return is_approver(person.id) or approval_policy() is not None


async def _every(listing: Listing, where: InstanceFilter) -> list[ApprovalState]:
    return [state async for state in listing.every(where)]


def _requested(state: ApprovalState, person: Person) -> bool:
    return state.requester is not None and state.requester.same_account(person)
