"""The bot's own calls to the Bot Connector outside any turn: post, update, open a 1:1 chat.

Thin over the Agents SDK's connector client. A 429 means Teams did nothing, so it is waited out
(Retry-After) and sent again; after a 5xx or no answer the call may have been applied, so only
calls that are safe to repeat (update, open a 1:1 chat) are sent once more, never a post. A call
that still fails raises TeamsCallFailed with one line naming the call and the status, because the
workflow shows the first line of an activity failure and its retry policy runs next.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters
from microsoft_agents.hosting.core import CardFactory, ConnectorClientBase, TeamsConnectorClient

from bot.people import Person
from bot.teams.auth import outbound_token
from bot.teams.config import TeamsSettings

log = logging.getLogger(__name__)

CALL_TIMEOUT_SECONDS = 30
RATE_LIMIT_RETRIES = 3
MAX_RETRY_AFTER_SECONDS = 10


class TeamsCallFailed(RuntimeError):
    """A Bot Connector call failed; `status` is its HTTP status (None: no answer)."""

    def __init__(self, call: str, status: int | None, detail: str = "", *, retry_after: float = 0.0) -> None:
        super().__init__(f"Teams {call} failed: " + (f"HTTP {status}" if status else detail or "no answer"))
        self.status = status
        self.retry_after = retry_after


def card_activity(card: dict[str, Any], activity_id: str | None = None) -> Activity:
    activity = Activity(type="message", attachments=[CardFactory.adaptive_card(card)])
    if activity_id is not None:
        activity.id = activity_id
    return activity


class TeamsConnector:
    """One activity invocation's calls, over one connector client."""

    def __init__(self, settings: TeamsSettings, client: ConnectorClientBase) -> None:
        self.settings = settings
        self.client = client

    async def post(self, conversation_id: str, card: dict[str, Any] | Activity) -> str:
        """Post a card (or any message); its activity id. To a bare channel id this starts a new post."""
        activity = card if isinstance(card, Activity) else card_activity(card)
        response = await self._call("post", lambda: self.client.conversations.send_to_conversation(
            conversation_id, activity), repeatable=False)
        if not response.id:
            raise TeamsCallFailed("post", None, "no activity id in the answer")
        return response.id

    async def update(self, conversation_id: str, activity_id: str, card: dict[str, Any]) -> bool:
        """Replace a posted card in place; False when Teams no longer has it (deleted)."""
        try:
            await self._call("update", lambda: self.client.conversations.update_activity(
                conversation_id, activity_id, card_activity(card, activity_id)))
        except TeamsCallFailed as failed:
            if failed.status == 404:
                log.warning("the card %s in %s is gone; nothing to update", activity_id, conversation_id)
                return False
            raise
        return True

    async def personal_chat(self, person: Person) -> str:
        """The bot's 1:1 conversation with someone (Teams answers the existing one)."""
        member = ChannelAccount(id=person.id, name=person.name) if person.name else ChannelAccount(id=person.id)
        parameters = ConversationParameters(is_group=False, members=[member])  # type: ignore[call-arg]
        if self.settings.app_id:
            parameters.agent = ChannelAccount(id=f"28:{self.settings.app_id}")
        if self.settings.tenant_id:
            parameters.tenant_id = self.settings.tenant_id
            parameters.channel_data = {"tenant": {"id": self.settings.tenant_id}}
        response = await self._call("create conversation",
                                    lambda: self.client.conversations.create_conversation(parameters))
        if not response.id:
            raise TeamsCallFailed("create conversation", None, "no conversation id in the answer")
        return response.id

    async def tell(self, person: Person, card: dict[str, Any] | Activity) -> str:
        """Post a card in someone's 1:1 chat with the bot."""
        return await self.post(await self.personal_chat(person), card)

    async def _call(self, call: str, send: Callable[[], Awaitable[Any]], *, repeatable: bool = True) -> Any:
        rate_limited, repeated = 0, False
        while True:
            try:
                return await self._once(call, send)
            except TeamsCallFailed as failed:
                if failed.status == 429 and rate_limited < RATE_LIMIT_RETRIES:
                    rate_limited += 1
                    await asyncio.sleep(failed.retry_after)
                elif repeatable and not repeated and failed.status != 429 and (failed.status or 500) >= 500:
                    repeated = True
                else:
                    raise

    async def _once(self, call: str, send: Callable[[], Awaitable[Any]]) -> Any:
        try:
            return await asyncio.wait_for(send(), CALL_TIMEOUT_SECONDS)
        except aiohttp.ClientResponseError as error:
            raise TeamsCallFailed(call, error.status, retry_after=_retry_after(error)) from error
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise TeamsCallFailed(call, None, type(error).__name__) from error


def _retry_after(error: aiohttp.ClientResponseError) -> float:
    """Seconds a 429 asks to wait (1 when it doesn't say), capped so an activity never sleeps long."""
    try:
        seconds = float(error.headers.get("Retry-After", "1")) if error.headers else 1.0
    except ValueError:
        seconds = 1.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


@asynccontextmanager
async def teams_connector(settings: TeamsSettings) -> AsyncIterator[TeamsConnector]:
    """A connector for the configured service URL, authenticated as the app; closed after use."""
    try:
        token = await outbound_token(settings)
    except Exception as error:  # MSAL raises its own errors; never show their details
        raise TeamsCallFailed("token", None, type(error).__name__) from error
    client = TeamsConnectorClient(endpoint=settings.service_url, token=token)
    try:
        yield TeamsConnector(settings, client)
    finally:
        await client.close()
