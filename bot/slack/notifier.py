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
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError, SlackObjectFormationError
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals import ESCALATION_REASON, ApprovalRequest, RecordedCancellation, RecordedDecision
from bot.config import SlackSettings
from bot.people import SLACK, InvalidPerson, Person
from bot.shared_session import shared_session
from bot.slack import messages, policy_messages
from bot.slack.home_tab import refresh_homes
from bot.slack.messages import SlackMessage
from bot.slack.request_copies import (
    ESCALATION_EVENT,
    HISTORY_MAX_PAGES,
    HISTORY_PAGE_SIZE,
    NOTICE_EVENT,
    REMINDER_EVENT,
    REQUEST_EVENT,
    STAGE_EVENT,
    history_oldest,
    is_copy_of,
    request_metadata,
    started_at,
)
from bot.slack.web_client import ACTIVITY_TIMEOUT_SECONDS, SLACK_CALL_ERRORS, activity_client
from bot.workflow.listing import Listing
from bot.workflow.progress import Progress
from bot.workflow.status import NOT_POSTED_KEY, REQUESTER_ACCOUNT_KEY

log = logging.getLogger(__name__)

# The requester's notice of senior management's outcome: after the escalation notice, so told apart.
SENIOR_OUTCOME_KEY = "senior-outcome"

# Slack's answers when the bot may not post in a channel: an admin has to act, not a retry.
OUTSIDE_THE_CHANNEL = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


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
        output: dict[str, Any] = {
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

    def every_copy(self) -> list[PostedMessage]:
        """This message, then each other copy of it."""
        return [self, *(PostedMessage(self.channel, ts, None, None) for ts in self.copies)]

    @classmethod
    def from_output(cls, data: Mapping[str, Any] | None) -> PostedMessage | None:
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
async def notifier(settings: SlackSettings, *, timeout: int = ACTIVITY_TIMEOUT_SECONDS,
                   listing: Listing | None = None) -> AsyncIterator[Notifier]:
    """A Notifier whose calls share the loop's HTTP session (and its open connections) with
    every other activity, instead of opening a session per activity."""
    session = await shared_session(timeout)
    yield Notifier(
        settings,
        activity_client(settings, timeout=timeout, session=session),
        activity_client(settings, timeout=timeout, session=session, repeatable=False),
        listing,
    )


class Notifier:
    """Web API calls for one activity invocation."""

    def __init__(
        self, settings: SlackSettings, client: AsyncWebClient | None = None, poster: AsyncWebClient | None = None,
        listing: Listing | None = None,
    ) -> None:
        self.settings = settings
        self.client = client or activity_client(settings)
        self.poster = poster or activity_client(settings, repeatable=False)  # the request post only
        self.listing = listing  # to republish Home tabs once an outcome is shown; None: they refresh when opened

    # --- bot.workflow.notifying.Notifier -------------------------------------------------------

    async def record_decision(
        self, approval_id: str, request: ApprovalRequest, decision: RecordedDecision, posted: dict[str, Any] | None,
        progress: Progress | None = None, escalation: dict[str, Any] | None = None,
    ) -> None:
        """Rewrite the original message (and any other copy of it) to the decision, and the
        escalation senior management decided on, and tell the requester."""
        message, request = _posted_with_requester(posted, request)
        if progress is None:
            await self._rewrite(message, _built(messages.decided, approval_id, request, decision))
        else:
            await self._rewrite(message, _built(policy_messages.decided_in_stages, approval_id, request, decision,
                                                progress))
        senior_post = PostedMessage.from_output(escalation)
        if senior_post is not None:
            await self._update(senior_post, _built(policy_messages.senior_decided, approval_id, request, decision))
        await self._tell_requester(request, approval_id, decision.decided_at or datetime.now().astimezone(), _built(
            messages.requester_decision_notice, approval_id, request, decision, message.permalink if message else None),
            key=SENIOR_OUTCOME_KEY if senior_post is not None else None)
        await self._refresh_homes(request)

    async def record_cancellation(
        self, approval_id: str, request: ApprovalRequest, cancellation: RecordedCancellation,
        posted: dict[str, Any] | None,
    ) -> None:
        """Rewrite the original message (and any other copy) to say the requester cancelled it,
        without buttons, and tell the requester."""
        message, request = _posted_with_requester(posted, request)
        await self._rewrite(message, _built(messages.cancelled, approval_id, request, cancellation))
        await self._tell_requester(request, approval_id, cancellation.cancelled_at or datetime.now().astimezone(),
                                   _built(messages.requester_cancellation_notice, approval_id, request, cancellation,
                                          message.permalink if message else None))
        await self._refresh_homes(request)

    async def escalate(
        self, approval_id: str, request: ApprovalRequest, deadline: datetime, posted: dict[str, Any] | None,
        progress: Progress | None = None,
    ) -> dict[str, Any] | None:
        """Tell senior management (with Approve / Deny when they may decide), mark the original
        (and any other copy) expired, tell the requester; the escalation post's reference."""
        message, request = _posted_with_requester(posted, request)
        permalink = message.permalink if message else None
        if message is not None and not permalink:
            permalink = await self._permalink(message.channel, message.ts)
        if progress is not None and progress.in_senior_review:
            escalation = _built(policy_messages.senior_escalation, approval_id, request, deadline, ESCALATION_REASON,
                                permalink, progress)
        else:
            escalation = _built(messages.escalation, approval_id, request, deadline, ESCALATION_REASON, permalink)
        channel, ts, *_ = await self._post_once(
            self.settings.escalation_channel, approval_id, ESCALATION_EVENT, escalation, deadline)
        if progress is None:
            await self._rewrite(message, _built(messages.expired, approval_id, request, deadline))
        else:
            await self._rewrite(message, _built(policy_messages.expired_in_stages, approval_id, request, deadline,
                                                progress))
        await self._tell_requester(request, approval_id, deadline, _built(
            messages.requester_escalation_notice, approval_id, request, deadline, permalink))
        await self._refresh_homes(request)
        return {"channel": channel, "ts": ts, "permalink": permalink}

    async def advance_stage(
        self, approval_id: str, request: ApprovalRequest, progress: Progress, posted: dict[str, Any] | None
    ) -> None:
        """Show the stages on the request (buttons stay, for the next stage's approvers) and
        mention those approvers in its thread, once."""
        message, request = _posted_with_requester(posted, request)
        if message is None:
            return
        await self._update(message, _built(policy_messages.request_in_stage, approval_id, request, progress))
        await self._reply_once(message, approval_id, STAGE_EVENT, f"stage-{progress.current}",
                               _built(policy_messages.stage_opened, approval_id, request, progress))

    async def remind(
        self, approval_id: str, request: ApprovalRequest, progress: Progress, reminder: int,
        posted: dict[str, Any] | None,
    ) -> None:
        """One reminder in the request's thread; a re-run finds it there and posts nothing."""
        message, request = _posted_with_requester(posted, request)
        if message is None:
            return
        await self._reply_once(message, approval_id, REMINDER_EVENT, f"stage-{progress.current}-reminder-{reminder}",
                               _built(policy_messages.reminder, approval_id, request, progress, reminder))

    async def close_escalation(
        self, approval_id: str, request: ApprovalRequest, decision: RecordedDecision | None, deadline: datetime,
        posted: dict[str, Any] | None, escalation: dict[str, Any] | None,
    ) -> None:
        """Senior management's deadline passed: the escalation loses its buttons and says what
        the request came to; a denial is shown on the request and told to the requester."""
        message, request = _posted_with_requester(posted, request)
        senior_post = PostedMessage.from_output(escalation)
        if senior_post is not None:
            permalink = escalation.get("permalink") if escalation else None
            await self._update(senior_post, _built(
                policy_messages.senior_escalation_closed, approval_id, request, deadline, ESCALATION_REASON,
                permalink if isinstance(permalink, str) else None, decision, deadline))
        if decision is not None:
            await self._rewrite(message, _built(messages.decided, approval_id, request, decision))
            await self._tell_requester(request, approval_id, deadline, _built(
                messages.requester_decision_notice, approval_id, request, decision,
                message.permalink if message else None), key=SENIOR_OUTCOME_KEY)
        await self._refresh_homes(request)

    async def _refresh_homes(self, request: ApprovalRequest) -> None:
        """The requester's Home tab shows the outcome: here, in the activity, not in a click's
        answer, whose 3 s it would eat. A decider sees theirs on the tab they clicked, or the next
        time they open it. Bounded and only logged when it fails."""
        if self.listing is not None:
            await refresh_homes(self.client, self.settings, self.listing, request.account_on(SLACK))

    async def _reply_once(self, parent: PostedMessage, approval_id: str, event_type: str, key: str,
                          message: SlackMessage) -> None:
        """Post in the parent's thread unless a reply with this metadata is already there."""
        try:
            replies = await self.client.conversations_replies(
                channel=parent.channel, ts=parent.ts, include_all_metadata=True, limit=HISTORY_PAGE_SIZE)
        except SLACK_CALL_ERRORS as error:
            raise _failure("conversations.replies", error) from error
        if any(isinstance(m, Mapping) and is_copy_of(m, approval_id, event_type, key)
               for m in replies.get("messages") or []):
            log.info("%s %s for %s is already in the thread", event_type, key, approval_id)
            return
        await self._call("chat.postMessage", self.poster.chat_postMessage(
            channel=parent.channel, thread_ts=parent.ts, text=message.text, blocks=message.blocks,
            metadata=request_metadata(approval_id, event_type, key)))

    async def _rewrite(self, message: PostedMessage | None, outcome: SlackMessage) -> None:
        """Show the outcome on the recorded request message and on every other copy of it."""
        for target in message.every_copy() if message is not None else []:
            await self._update(target, outcome, recorded=target == message)

    async def _tell_requester(self, request: ApprovalRequest, approval_id: str, since: datetime,
                              notice: SlackMessage, key: str | None = None) -> None:
        requester_id = _slack_id(request)
        if requester_id:
            await self._direct_message(requester_id, approval_id, since, notice, key)

    # --- the request post -----------------------------------------------------------------------

    async def post_approval_request(
        self, approval_id: str, request: ApprovalRequest, deadline: datetime
    ) -> PostedMessage:
        """Post the request with buttons to APPROVAL_CHANNEL, unless an earlier run of this
        activity already did (its answer lost to a crash): then that post is the request."""
        requester_id = _slack_id(request) or await self._lookup_by_email(request.requester)
        request = _with_slack_id(request, requester_id)
        if request.route is None:
            message = _built(messages.approval_request, approval_id, request, deadline)
        else:
            message = _built(policy_messages.request_in_stage, approval_id, request,
                             Progress(request.route, 0, deadline))
        channel, ts, *copies = await self._post_once(
            self.approval_channel(request), approval_id, REQUEST_EVENT, message,
            started_at(deadline, request.timeout_seconds),
        )
        return PostedMessage(channel, ts, requester_id, await self._permalink(channel, ts), tuple(copies))

    async def post_request(self, approval_id: str, request: ApprovalRequest, deadline: datetime) -> dict[str, Any]:
        """The request's reference; when the bot is not in the approvers' channel, trying again
        cannot help: the requester is told how to fix it and the reference says it was not posted."""
        try:
            return (await self.post_approval_request(approval_id, request, deadline)).to_output()
        except SlackCallFailed as failure:
            code = _slack_error(failure.__cause__)
            if code not in OUTSIDE_THE_CHANNEL:
                raise
        requester_id = _slack_id(request) or await self._lookup_by_email(request.requester)
        if requester_id:
            await self._direct_message(requester_id, approval_id, started_at(deadline, request.timeout_seconds),
                                       _built(messages.not_in_channel, approval_id, request,
                                              self.approval_channel(request)))
        return {NOT_POSTED_KEY: f"Slack chat.postMessage failed: {code}: the app is not a member of "
                                f"{self.approval_channel(request)}; invite it with /invite"}

    def approval_channel(self, request: ApprovalRequest) -> str:
        """The tier's channel when the policy gives one, else APPROVAL_CHANNEL."""
        routed = request.route.channel_on(SLACK) if request.route else None
        return routed or self.settings.approval_channel

    # --- Web API calls ------------------------------------------------------------------------

    async def _call(self, method: str, call: Awaitable[Any]) -> Any:
        """Await one Web API call; slack_sdk's retry handlers have run when this raises."""
        try:
            return await call
        except SLACK_CALL_ERRORS as error:
            raise _failure(method, error) from error

    async def _post_once(
        self, channel: str, approval_id: str, event_type: str, message: SlackMessage, since: datetime,
        key: str | None = None,
    ) -> tuple[str, ...]:
        """(channel, ts, *other copies): post unless a post of this kind for this approval is
        already in the channel since ``since``, then keep the first one. An answer that may hide
        a post (5xx, dropped connection) is followed by a look, not by a blind second post."""
        attempts_left = 2
        while True:
            attempts_left -= 1
            # Always look first: a re-run after a crash cannot be told from a first run, and a
            # first run's window holds only the newest posts.
            earlier = await self._copies(channel, approval_id, event_type, since, key)
            if earlier:
                log.info("%s for %s is already posted at %s; keeping that post", event_type, approval_id, earlier[0])
                return channel, *earlier
            try:
                response = await self.poster.chat_postMessage(
                    channel=channel, text=message.text, blocks=message.blocks,
                    metadata=request_metadata(approval_id, event_type, key),
                )
                return response["channel"], response["ts"]
            except SLACK_CALL_ERRORS as error:
                if not attempts_left or not _may_have_posted(error):
                    raise _failure("chat.postMessage", error) from error
                log.warning("chat.postMessage of %s for %s may have posted (%s); looking before posting again",
                            event_type, approval_id, _failure("chat.postMessage", error))

    async def _copies(self, channel: str, approval_id: str, event_type: str, since: datetime,
                      key: str | None = None) -> list[str] | None:
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
                      and isinstance(m.get("ts"), str) and is_copy_of(m, approval_id, event_type, key)]
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

    async def _direct_message(self, user_id: str, approval_id: str, since: datetime, message: SlackMessage,
                              key: str | None = None) -> None:
        opened = await self._call("conversations.open", self.client.conversations_open(users=user_id))
        await self._post_once(opened["channel"]["id"], approval_id, NOTICE_EVENT, message, since, key)

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


def _built(build: Callable[..., SlackMessage], approval_id: str, *args: Any) -> SlackMessage:
    """The message, checked against Block Kit's rules now; should a builder ever make one Slack
    would refuse, a plain message naming the approval goes out instead of failing the activity."""
    try:
        message = build(approval_id, *args)
        message.block_dicts()
        return message
    except SlackObjectFormationError:
        log.exception("the %s message for %s broke a Block Kit rule; sending a plain one", build.__name__, approval_id)
        return messages.plain(approval_id, f"Approval {approval_id}: {build.__name__.replace('_', ' ')}")


def _slack_error(error: BaseException | None) -> str | None:
    """Slack's own error code in an answer that said `"ok": false`."""
    if isinstance(error, SlackApiError) and isinstance(error.response.data, dict):
        return error.response.data.get("error")
    return None


def _may_have_posted(error: Exception) -> bool:
    """A 5xx or a lost connection leaves it open whether Slack did the work; any other error
    (4xx, or Slack's own "ok": false) means it did not."""
    if isinstance(error, SlackApiError):
        return error.response.status_code >= 500
    return True


def _slack_id(request: ApprovalRequest) -> str | None:
    account = request.account_on(SLACK)
    return account.id if account is not None else None


def _posted_with_requester(
    posted: dict[str, Any] | None, request: ApprovalRequest
) -> tuple[PostedMessage | None, ApprovalRequest]:
    """The posted request, and the request with the requester's Slack account found when posting."""
    message = PostedMessage.from_output(posted)
    found = _slack_id(request) or (message.requester_slack_id if message else None)
    return message, _with_slack_id(request, found)


def _with_slack_id(request: ApprovalRequest, slack_id: str | None) -> ApprovalRequest:
    """The request with the requester's Slack account, for showing it as a mention."""
    if slack_id is None or _slack_id(request) == slack_id or request.requester_account is not None:
        return request
    try:
        return dataclasses.replace(request, requester_account=Person.slack(slack_id, request.requester))
    except InvalidPerson:  # Slack returned an id our domain does not accept; keep the plain name
        return request
