"""The Bolt app, built once per process for each distinct set of settings."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.config import SlackSettings
from bot.slack.authorization import SettingsAuthorize
from bot.slack.listeners import register_listeners
from bot.slack.web_client import ack_path_client

log = logging.getLogger(__name__)


class _TokenFromClientIsIntended(logging.Filter):
    """Bolt warns that `token` is unused (or ignored) when a client or an authorize is given and
    SLACK_BOT_TOKEN is set in the environment; both carry that very token, so the warning is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "`token` will be unused" not in message and "will be ignored" not in message


_bolt_log = logging.getLogger("bot.slack.bolt")
_bolt_log.addFilter(_TokenFromClientIsIntended())


@lru_cache(maxsize=8)
def slack_app(settings: SlackSettings) -> AsyncApp:
    """Bolt with process_before_response: the whole listener runs before the HTTP answer,
    because nothing may run after an Azure Functions invocation returns. Authorized from the
    settings, so no request waits on (or fails with) Bolt's auth.test."""
    app = AsyncApp(
        client=ack_path_client(settings),
        authorize=SettingsAuthorize(settings),
        signing_secret=settings.signing_secret,
        process_before_response=True,
        logger=_bolt_log,
    )
    app.error(answer_error)
    register_listeners(app)
    return app


async def answer_error(error: Exception, body: Any) -> BoltResponse:
    """A bug in a listener is logged; the person in Slack gets an apology, not an error page."""
    log.error("Slack listener failed", exc_info=error)
    if isinstance(body, dict) and "command" in body:
        return BoltResponse(status=200, body="Sorry, something went wrong on our side. Please try again.")
    return BoltResponse(status=200, body="")
