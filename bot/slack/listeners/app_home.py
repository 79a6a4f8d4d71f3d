"""`app_home_opened`: the App Home tab shows what waits for the person and their own requests."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.config import SlackSettings
from bot.slack.home_tab import publish_home
from bot.workflow.listing import Listing


def register(app: Any) -> None:
    app.event("app_home_opened")(app_home_opened)


async def app_home_opened(event: dict[str, Any], client: AsyncWebClient, slack_settings: SlackSettings,
                          listing: Listing) -> None:
    """Bolt acknowledges the event once this returns; the Messages tab needs nothing."""
    user = event.get("user")
    if event.get("tab", "home") != "home" or not isinstance(user, str):
        return
    await publish_home(client, slack_settings, listing, user)
