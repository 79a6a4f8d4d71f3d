"""The Bolt app, built once per process for each distinct set of settings."""

from __future__ import annotations

from functools import lru_cache

from slack_bolt.async_app import AsyncApp

from bot.config import SlackSettings
from bot.slack.web_client import ack_path_client


@lru_cache(maxsize=8)
def slack_app(settings: SlackSettings) -> AsyncApp:
    """Bolt with process_before_response: the whole listener runs before the HTTP answer,
    because nothing may run after an Azure Functions invocation returns."""
    app = AsyncApp(
        client=ack_path_client(settings),
        signing_secret=settings.signing_secret,
        process_before_response=True,
    )
    return app
