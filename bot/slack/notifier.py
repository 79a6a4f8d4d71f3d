"""The Slack side of the three activities: post the request, record the outcome, escalate.

A call that still fails after slack_sdk's own retries (429 after Retry-After, 5xx, dropped
connections) raises SlackCallFailed, so the durable retry policy runs next and a persistent failure
ends the instance Failed with the Slack error.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals import ESCALATION_REASON, ApprovalRequest
from bot.config import SlackSettings
from bot.slack import messages
from bot.slack.messages import RecordedDecision, SlackMessage
from bot.slack.web_client import ACTIVITY_TIMEOUT_SECONDS, SLACK_CALL_ERRORS, activity_client

log = logging.getLogger(__name__)


class SlackCallFailed(RuntimeError):
    """A Web API call failed after slack_sdk's retries. One line, naming the method and Slack's
    error code, because the workflow shows the first line of an activity failure."""


def _failure(method: str, error: Exception) -> SlackCallFailed:
    if isinstance(error, SlackApiError):
        code = error.response.get("error") if isinstance(error.response.data, dict) else None
        return SlackCallFailed(f"Slack {method} failed: {code or 'error'} (HTTP {error.response.status_code})")
    return SlackCallFailed(f"Slack {method} failed: {type(error).__name__} {error}".strip())


@dataclass(frozen=True)
class PostedMessage:
    """Where the approval request landed; the workflow keeps it for later updates."""

    channel: str
    ts: str
    requester_slack_id: str | None
    permalink: str | None

    def to_output(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "ts": self.ts,
            "requesterSlackId": self.requester_slack_id,
            "permalink": self.permalink,
        }

    @classmethod
    def from_output(cls, data: Mapping[str, Any] | None) -> "PostedMessage | None":
        if not isinstance(data, Mapping) or not data.get("channel") or not data.get("ts"):
            return None
        return cls(
            channel=str(data["channel"]),
            ts=str(data["ts"]),
            requester_slack_id=data.get("requesterSlackId"),
            permalink=data.get("permalink"),
        )


@asynccontextmanager
async def notifier(settings: SlackSettings, *, timeout: int = ACTIVITY_TIMEOUT_SECONDS) -> AsyncIterator["Notifier"]:
    """A Notifier whose calls share one HTTP session for the length of an activity."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        yield Notifier(settings, activity_client(settings, timeout=timeout, session=session))


class Notifier:
    """Web API calls for one activity invocation."""

    def __init__(self, settings: SlackSettings, client: AsyncWebClient | None = None) -> None:
        self.settings = settings
        self.client = client or activity_client(settings)

    async def post_approval_request(
        self, approval_id: str, request: ApprovalRequest, deadline: datetime
    ) -> PostedMessage:
        """Post the request with buttons to APPROVAL_CHANNEL."""
        requester_id = request.requester_slack_id or await self._lookup_by_email(request.requester)
        if requester_id and not request.requester_slack_id:
            request = _with_slack_id(request, requester_id)
        message = messages.approval_request(approval_id, request, deadline)
        posted = await self._post(self.settings.approval_channel, message)
        channel, ts = posted["channel"], posted["ts"]
        return PostedMessage(channel, ts, requester_id, await self._permalink(channel, ts))

    async def record_decision(
        self,
        approval_id: str,
        request: ApprovalRequest,
        decision: RecordedDecision,
        posted: PostedMessage | None,
    ) -> None:
        """Rewrite the original message to the decision and tell the requester."""
        request = _with_slack_id(request, _requester_id(request, posted))
        if posted is not None:
            await self._update(posted, messages.decided(approval_id, request, decision))
        if request.requester_slack_id:
            await self._direct_message(
                request.requester_slack_id, messages.requester_decision_notice(approval_id, request, decision)
            )

    async def escalate(
        self, approval_id: str, request: ApprovalRequest, deadline: datetime, posted: PostedMessage | None
    ) -> None:
        """Tell senior management, mark the original expired, tell the requester."""
        request = _with_slack_id(request, _requester_id(request, posted))
        permalink = posted.permalink if posted else None
        if posted is not None and not permalink:
            permalink = await self._permalink(posted.channel, posted.ts)
        await self._post(
            self.settings.escalation_channel,
            messages.escalation(approval_id, request, deadline, ESCALATION_REASON, permalink),
        )
        if posted is not None:
            await self._update(posted, messages.expired(approval_id, request, deadline))
        if request.requester_slack_id:
            await self._direct_message(
                request.requester_slack_id, messages.requester_escalation_notice(approval_id, request, deadline)
            )

    # --- Web API calls ------------------------------------------------------------------------

    async def _call(self, method: str, call: Awaitable[Any]) -> Any:
        """Await one Web API call; slack_sdk's retry handlers have run when this raises."""
        try:
            return await call
        except SLACK_CALL_ERRORS as error:
            raise _failure(method, error) from error

    async def _post(self, channel: str, message: SlackMessage) -> Mapping[str, Any]:
        response = await self._call(
            "chat.postMessage", self.client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks)
        )
        return {"channel": response["channel"], "ts": response["ts"]}

    async def _update(self, posted: PostedMessage, message: SlackMessage) -> None:
        await self._call(
            "chat.update",
            self.client.chat_update(channel=posted.channel, ts=posted.ts, text=message.text, blocks=message.blocks),
        )

    async def _direct_message(self, user_id: str, message: SlackMessage) -> None:
        opened = await self._call("conversations.open", self.client.conversations_open(users=user_id))
        await self._post(opened["channel"]["id"], message)

    async def _permalink(self, channel: str, ts: str) -> str | None:
        """A link is a nicety: a failure here must not fail the activity."""
        try:
            response = await self.client.chat_getPermalink(channel=channel, message_ts=ts)
        except SlackApiError as error:
            log.warning("chat.getPermalink failed: %s", error.response.get("error"))
            return None
        permalink = response.get("permalink")
        return permalink if isinstance(permalink, str) else None

    async def _lookup_by_email(self, requester: str) -> str | None:
        """The Slack user behind an email requester, when Slack knows them."""
        if "@" not in requester or requester.startswith("<@"):
            return None
        try:
            response = await self.client.users_lookupByEmail(email=requester.strip())
        except SlackApiError as error:
            log.info("no Slack user for the requester's email (%s)", error.response.get("error"))
            return None
        user = response.get("user") or {}
        return user.get("id") if isinstance(user.get("id"), str) else None


def _requester_id(request: ApprovalRequest, posted: PostedMessage | None) -> str | None:
    return request.requester_slack_id or (posted.requester_slack_id if posted else None)


def _with_slack_id(request: ApprovalRequest, slack_id: str | None) -> ApprovalRequest:
    if slack_id is None or request.requester_slack_id == slack_id:
        return request
    try:
        return dataclasses.replace(request, requester_slack_id=slack_id)
    except ValueError:  # Slack returned an id our domain does not accept; keep the plain name
        return request
