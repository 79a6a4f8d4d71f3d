"""slack_sdk Web API clients built from settings: one for activities, one for the ack path."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import SlackSettings

# What a Web API call can raise once its retries are spent.
SLACK_CALL_ERRORS: tuple[type[Exception], ...] = (SlackApiError, aiohttp.ClientError, OSError, TimeoutError)

# Activities may wait out a 429's Retry-After; the durable retry policy wraps all of this.
ACTIVITY_TIMEOUT_SECONDS = 10
# The ack path has 3 s in total, so its client never sleeps for a rate limit.
ACK_PATH_TIMEOUT_SECONDS = 2


def activity_client(
    settings: SlackSettings,
    *,
    timeout: int = ACTIVITY_TIMEOUT_SECONDS,
    session: aiohttp.ClientSession | None = None,
    repeatable: bool = True,
) -> AsyncWebClient:
    """A client that retries rate limits (after Retry-After), 5xx and connection errors.

    ``repeatable=False`` is for calls that must not simply be sent again (posting): a 429 means
    Slack did nothing, so it is still waited out, but after a 5xx or a dropped connection the
    message may have been posted, and the caller looks before trying again.
    With a session, its calls share connections (the session's own timeout then applies)."""
    retry_handlers: list[AsyncRetryHandler] = [AsyncRateLimitErrorRetryHandler(max_retry_count=3)]
    if repeatable:
        retry_handlers += [AsyncConnectionErrorRetryHandler(max_retry_count=1),
                           AsyncServerErrorRetryHandler(max_retry_count=1)]
    return AsyncWebClient(token=settings.bot_token, base_url=_base_url(settings), timeout=timeout,
                          session=session, retry_handlers=retry_handlers)


def ack_path_client(settings: SlackSettings) -> AsyncWebClient:
    """The Bolt app's client: short timeout, retries only a dropped connection."""
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=_base_url(settings),
        timeout=ACK_PATH_TIMEOUT_SECONDS,
        retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=1)],
    )


def _base_url(settings: SlackSettings) -> str:
    """SLACK_API_URL (the sandbox locally), else slack.com's."""
    return settings.api_url or AsyncWebClient.BASE_URL
