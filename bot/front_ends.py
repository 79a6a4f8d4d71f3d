"""The chat front ends this deployment has: which are configured, and each one's notifier.

The only module that knows every front end by name; each front end is a branch here.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.config import slack_settings
from bot.people import SLACK, TEAMS
from bot.teams.config import teams_settings
from bot.workflow.listing import Listing
from bot.workflow.notifying import Notifier

log = logging.getLogger(__name__)


def configured_front_ends() -> tuple[str, ...]:
    """The front ends with settings; a request from the HTTP API is posted on each of them.
    Raises ConfigError naming a malformed setting."""
    configured = {SLACK: slack_settings() is not None, TEAMS: teams_settings() is not None}
    return tuple(front_end for front_end, present in configured.items() if present)


@asynccontextmanager
async def notifier_for(front_end: str, *, listing: Listing | None = None) -> AsyncIterator[Notifier | None]:
    """The front end's notifier, or None when it is not configured (the call is then skipped).
    `listing` lets a front end that shows people their own lists (Slack's Home tab) refresh them."""
    if front_end == SLACK:
        settings = slack_settings()  # raises ConfigError naming a malformed setting
        if settings is None:
            yield None
            return
        from bot.slack.notifier import notifier

        async with notifier(settings, listing=listing) as slack:
            yield slack
        return
    if front_end == TEAMS:
        teams = teams_settings()  # raises ConfigError naming a malformed setting
        if teams is None:
            yield None
            return
        from bot.teams.notifier import notifier as teams_notifier

        async with teams_notifier(teams) as teams_front_end:
            yield teams_front_end
        return
    raise ValueError(f"unknown front end {front_end!r}")
