"""Publishing a person's App Home tab: on opening it, and after something that concerns them.

Slack sends `app_home_opened` every time someone opens the tab, so the tab is fresh whenever it
is looked at. Once an outcome is shown (a decision from any chat or the HTTP API, an escalation, a
cancellation), the notifying activity republishes the requester's tab too; that is bounded in
time and its failure only logged: the outcome itself is already shown and told. Outcomes that
come together share republishing (bot.shared_runs): a burst of 500 decisions on one requester's
requests reads their requests a few times, not 500.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.config import SlackSettings
from bot.people import SLACK, Person
from bot.shared_runs import run_shared
from bot.slack.deciding import in_user_group
from bot.slack.home import home_view
from bot.slack.requester_match import email_of
from bot.slack.web_client import SLACK_CALL_ERRORS
from bot.workflow.backend import BackendUnavailable
from bot.workflow.listing import Listing
from bot.workflow.my_approvals import MyApprovals, my_approvals

log = logging.getLogger(__name__)

REFRESH_SECONDS = 10.0  # the notifying activity is not kept waiting on a slow listing
UNAVAILABLE = "I couldn't read the requests just now. Open this tab again in a moment."


async def mine_for(client: AsyncWebClient, settings: SlackSettings, listing: Listing, user_id: str) -> MyApprovals:
    """What the person sees: raises BackendUnavailable when the instances cannot be read."""

    async def in_group(group: str, person: Person) -> bool:
        return await in_user_group(client, group, person)

    async def names_of(person: Person) -> tuple[str, ...]:
        email = await email_of(client, person.id)
        return (email,) if email else ()

    return await my_approvals(listing, Person.slack(user_id), is_approver=settings.may_approve,
                              now=datetime.now(UTC), in_group=in_group, names_of=names_of)


async def publish_home(client: AsyncWebClient, settings: SlackSettings, listing: Listing, user_id: str,
                       notice: str | None = None) -> None:
    try:
        view = home_view(await mine_for(client, settings, listing, user_id), notice)
    except BackendUnavailable:
        view = home_view(MyApprovals([], [], False), UNAVAILABLE)
    try:
        await client.views_publish(user_id=user_id, view=view)
    except SLACK_CALL_ERRORS as error:
        log.warning("views.publish for the App Home failed: %s", error)


async def refresh_homes(client: AsyncWebClient, settings: SlackSettings, listing: Listing,
                        *people: Person | None) -> None:
    """Republish the tabs of these people (those on Slack, each once), within REFRESH_SECONDS."""
    user_ids = dict.fromkeys(p.id for p in people if p is not None and p.is_on(SLACK))
    if not user_ids:
        return

    async def refreshed(user_id: str) -> None:
        await run_shared(("slack home", user_id), lambda: publish_home(client, settings, listing, user_id),
                         REFRESH_SECONDS)

    try:
        await asyncio.gather(*(refreshed(u) for u in user_ids))
    except TimeoutError:
        log.warning("App Home refresh for %d people took too long; they see it when they next open it", len(user_ids))
