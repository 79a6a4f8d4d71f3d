"""Slack's notifier (bot.workflow.notifying): post the request, record the outcome, escalate.

Every post is made once, even when its activity runs again after a crash: each carries metadata
naming its kind and approval, and the conversation's recent history is searched before posting.

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

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals import ESCALATION_REASON, ApprovalRequest, RecordedDecision
from bot.config import SlackSettings
from bot.people import SLACK, InvalidPerson, Person
from bot.slack import messages
from bot.slack.messages import SlackMessage
from bot.slack.request_copies import (
    ESCALATION_EVENT,
    HISTORY_MAX_PAGES,
    HISTORY_PAGE_SIZE,
    NOTICE_EVENT,
    REQUEST_EVENT,
    history_oldest,
    is_copy_of,
    request_metadata,
    started_at,
)
from bot.workflow.status import REQUESTER_ACCOUNT_KEY
from bot.slack.shared_session import shared_session
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
    """Where the approval request landed; the workflow keeps it for later updates. ``copies``
    are the ts of other posts of the same request in that channel (left by earlier runs when
    the channel's history could not be read then); the outcome is shown on them too."""

    channel: str
    ts: str
    requester_slack_id: str | None
    permalink: str | None
    copies: tuple[str, ...] = ()

    def to_output(self) -> dict[str, Any]:
        output = {
            "channel": self.channel,
            "ts": self.ts,
            "requesterSlackId": self.requester_slack_id,
            "permalink": self.permalink,
        }
        if self.requester_slack_id:
            output[REQUESTER_ACCOUNT_KEY] = Person.slack(self.requester_slack_id).to_json()
        if self.copies:
            output["copies"] = list(self.copies)
        return output

    def every_copy(self) -> list["PostedMessage"]:
        """This message, then each other copy of it."""
        return [self, *(PostedMessage(self.channel, ts, None, None) for ts in self.copies)]

    @classmethod
    def from_output(cls, data: Mapping[str, Any] | None) -> "PostedMessage | None":
        if not isinstance(data, Mapping) or not data.get("channel") or not data.get("ts"):
            return None
        return cls(
            channel=str(data["channel"]),
            ts=str(data["ts"]),
            requester_slack_id=data.get("requesterSlackId"),
            permalink=data.get("permalink"),
            copies=tuple(str(ts) for ts in data.get("copies") or () if isinstance(ts, str)),
        )


@asynccontextmanager
async def notifier(settings: SlackSettings, *, timeout: int = ACTIVITY_TIMEOUT_SECONDS) -> AsyncIterator["Notifier"]:
    """A Notifier whose calls share the loop's HTTP session (and its open connections) with
    every other activity, instead of opening a session per activity."""
    session = await shared_session(timeout)
    yield Notifier(
        settings,
        activity_client(settings, timeout=timeout, session=session),
        activity_client(settings, timeout=timeout, session=session, repeatable=False),
    )


class Notifier:
    """Web API calls for one activity invocation."""

    def __init__(
        self, settings: SlackSettings, client: AsyncWebClient | None = None, poster: AsyncWebClient | None = None
    ) -> None:
        self.settings = settings
        self.client = client or activity_client(settings)
        self.poster = poster or activity_client(settings, repeatable=False)  # the request post only

    # --- bot.workflow.notifying.Notifier -------------------------------------------------------

    async def post_request(self, approval_id: str, request: ApprovalRequest, deadline: datetime) -> dict[str, Any]:
        return (await self.post_approval_request(approval_id, request, deadline)).to_output()

    async def record_decision(
        self, approval_id: str, request: ApprovalRequest, decision: RecordedDecision, posted: dict[str, Any] | None
    ) -> None:
        """Rewrite the original message (and any other copy of it) to the decision and tell the
        requester."""
        message = PostedMessage.from_output(posted)
        request = _with_slack_id(request, _requester_id(request, message))
        for target in message.every_copy() if message is not None else []:
            await self._update(target, messages.decided(approval_id, request, decision), recorded=target == message)
        requester_id = _slack_id(request)
        if requester_id:
            permalink = message.permalink if message else None
            since = decision.decided_at or datetime.now().astimezone()
            await self._direct_message(requester_id, approval_id, since,
                                       messages.requester_decision_notice(approval_id, request, decision, permalink))

    async def escalate(
        self, approval_id: str, request: ApprovalRequest, deadline: datetime, posted: dict[str, Any] | None
    ) -> None:
        """Tell senior management, mark the original (and any other copy) expired, tell the
        requester."""
        message = PostedMessage.from_output(posted)
        request = _with_slack_id(request, _requester_id(request, message))
        targets = message.every_copy() if message is not None else []
        permalink = message.permalink if message else None
        if message is not None and not permalink:
            permalink = await self._permalink(message.channel, message.ts)
        await self._post_once(
            self.settings.escalation_channel, approval_id, ESCALATION_EVENT,
            messages.escalation(approval_id, request, deadline, ESCALATION_REASON, permalink), deadline,
        )
        for target in targets:
            await self._update(target, messages.expired(approval_id, request, deadline), recorded=target == message)
        requester_id = _slack_id(request)
        if requester_id:
            await self._direct_message(requester_id, approval_id, deadline,
                                       messages.requester_escalation_notice(approval_id, request, deadline, permalink))

    # --- the request post -----------------------------------------------------------------------

    async def post_approval_request(
        self, approval_id: str, request: ApprovalRequest, deadline: datetime
    ) -> PostedMessage:
        """Post the request with buttons to APPROVAL_CHANNEL, unless an earlier run of this
        activity already did (its answer lost to a crash): then that post is the request."""
        requester_id = _slack_id(request) or await self._lookup_by_email(request.requester)
        request = _with_slack_id(request, requester_id)
        message = messages.approval_request(approval_id, request, deadline)
        channel, ts, *copies = await self._post_once(
            self.settings.approval_channel, approval_id, REQUEST_EVENT, message,
            started_at(deadline, request.timeout_seconds),
        )
        return PostedMessage(channel, ts, requester_id, await self._permalink(channel, ts), tuple(copies))

    # --- Web API calls ------------------------------------------------------------------------

    async def _call(self, method: str, call: Awaitable[Any]) -> Any:
        """Await one Web API call; slack_sdk's retry handlers have run when this raises."""
        try:
            return await call
        except SLACK_CALL_ERRORS as error:
            raise _failure(method, error) from error

    async def _post_once(
        self, channel: str, approval_id: str, event_type: str, message: SlackMessage, since: datetime
    ) -> tuple[str, ...]:
        """(channel, ts, *other copies): post unless a post of this kind for this approval is
        already in the channel since ``since``, then keep the first one. An answer that may hide
        a post (5xx, dropped connection) is followed by a look, not by a blind second post."""
        attempts_left = 2
        while True:
            attempts_left -= 1
            # Always look first: a re-run after a crash cannot be told from a first run, and a
            # first run's window holds only the newest posts.
            earlier = await self._copies(channel, approval_id, event_type, since)
            if earlier:
                log.info("%s for %s is already posted at %s; keeping that post", event_type, approval_id, earlier[0])
                return channel, *earlier
            try:
                response = await self.poster.chat_postMessage(
                    channel=channel, text=message.text, blocks=message.blocks,
                    metadata=request_metadata(approval_id, event_type),
                )
                return response["channel"], response["ts"]
            except SLACK_CALL_ERRORS as error:
                if not attempts_left or not _may_have_posted(error):
                    raise _failure("chat.postMessage", error) from error
                log.warning("chat.postMessage of %s for %s may have posted (%s); looking before posting again",
                            event_type, approval_id, _failure("chat.postMessage", error))

    async def _copies(self, channel: str, approval_id: str, event_type: str, since: datetime) -> list[str] | None:
        """The ts of every post of this kind for this approval in ``channel`` since ``since``,
        oldest first; None when the history can't be read (e.g. the app lacks the history
        scope), which leaves only the recorded message to go by."""
        found: list[str] = []
        cursor: str | None = None
        for _ in range(HISTORY_MAX_PAGES):
            try:
                response = await self.client.conversations_history(
                    channel=channel, oldest=history_oldest(since),
                    limit=HISTORY_PAGE_SIZE, include_all_metadata=True, cursor=cursor,
                )
            except SlackApiError as error:
                if error.response.status_code == 200:  # Slack said no (scope, membership), not "later"
                    log.warning("conversations.history is not available: %s", error.response.get("error"))
                    return None
                raise _failure("conversations.history", error) from error
            except SLACK_CALL_ERRORS as error:
                raise _failure("conversations.history", error) from error
            found += [m["ts"] for m in response.get("messages") or [] if isinstance(m, Mapping)
                      and isinstance(m.get("ts"), str) and is_copy_of(m, approval_id, event_type)]
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                break
        return sorted(set(found), key=float)

    async def _update(self, posted: PostedMessage, message: SlackMessage, *, recorded: bool = True) -> None:
        """Rewrite a message. Another copy than the recorded one may have been deleted meanwhile:
        Slack refusing that one is logged, not raised."""
        try:
            await self._call(
                "chat.update",
                self.client.chat_update(channel=posted.channel, ts=posted.ts, text=message.text, blocks=message.blocks),
            )
        except SlackCallFailed as failure:
            cause = failure.__cause__
            if recorded or not (isinstance(cause, SlackApiError) and cause.response.status_code == 200):
                raise
            log.warning("could not update another copy of the request at %s: %s", posted.ts, failure)

    async def _direct_message(self, user_id: str, approval_id: str, since: datetime, message: SlackMessage) -> None:
        opened = await self._call("conversations.open", self.client.conversations_open(users=user_id))
        await self._post_once(opened["channel"]["id"], approval_id, NOTICE_EVENT, message, since)

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


def _may_have_posted(error: Exception) -> bool:
    """A 5xx or a lost connection leaves it open whether Slack did the work; any other error
    (4xx, or Slack's own "ok": false) means it did not."""
    if isinstance(error, SlackApiError):
        return error.response.status_code >= 500
    return True


def _slack_id(request: ApprovalRequest) -> str | None:
    account = request.account_on(SLACK)
    return account.id if account is not None else None


def _requester_id(request: ApprovalRequest, posted: PostedMessage | None) -> str | None:
    return _slack_id(request) or (posted.requester_slack_id if posted else None)


def _with_slack_id(request: ApprovalRequest, slack_id: str | None) -> ApprovalRequest:
    """The request with the requester's Slack account, for showing it as a mention."""
    if slack_id is None or _slack_id(request) == slack_id or request.requester_account is not None:
        return request
    try:
        return dataclasses.replace(request, requester_account=Person.slack(slack_id, request.requester))
    except InvalidPerson:  # Slack returned an id our domain does not accept; keep the plain name
        return request
