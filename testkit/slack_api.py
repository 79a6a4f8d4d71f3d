"""A small recording fake of Slack's Web API (and of response_urls), for tests.

An aiohttp server on 127.0.0.1, port 0. It records every call, answers Slack-shaped JSON, keeps
the latest text/blocks of each posted message, and can be told to fail: 429 with Retry-After,
5xx, or hang until the client gives up; or it can do a call and hold back the answer, so that a
test can kill the caller while the call is in flight. Point slack_sdk at it with
``base_url=fake.api_url`` and put ``fake.response_url(...)`` in payloads so Bolt's ``respond()``
lands here too.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from testkit.loopback import serve


@dataclass
class Call:
    """One request the fake received."""

    method: str  # Web API method ("chat.postMessage") or "response_url"
    args: dict[str, Any]
    token: str | None
    path: str
    status: int = 200
    ok: bool = True
    peer: tuple[str, int] | None = None  # the client's address and port: one per connection


@dataclass
class Failure:
    status: int
    error: str
    retry_after: int | None
    remaining: int | None  # None = forever
    hang: bool = False
    applied: bool = False  # the call takes effect, but its answer is the failure (a lost answer)


@dataclass
class Hold:
    """A call that will take effect but whose answer waits (see FakeSlackApi.hold)."""

    method: str
    matches: Callable[[dict[str, Any]], bool]
    skip: int  # matching calls still let through before the one held
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    call: Call | None = None  # the held call, once it arrived

    def release(self) -> None:
        self.released.set()


@dataclass
class StoredMessage:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    updates: int = 0
    metadata: dict[str, Any] | None = None
    thread_ts: str | None = None  # a reply in the thread of this ts
    _encoded: tuple[tuple[int, bool], str] | None = field(default=None, repr=False, compare=False)

    def history_json(self, with_metadata: bool) -> str:
        """This message as conversations.history shows it, as JSON text. Kept until the next
        chat.update, so a burst of history reads costs the fake little (Slack's servers are
        not on the machine the benchmarks measure)."""
        key = (self.updates, with_metadata)
        if self._encoded is None or self._encoded[0] != key:
            message: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text,
                                       "blocks": self.blocks, "bot_id": "BBOT"}
            if with_metadata and self.metadata is not None:
                message["metadata"] = self.metadata
            self._encoded = (key, json.dumps(message))
        return self._encoded[1]


class EncodedMessages(list[str]):
    """A page of messages already encoded as JSON text (see StoredMessage.history_json)."""


def response_text(body: dict[str, Any]) -> str:
    """The JSON text of an answer; a page of EncodedMessages is spliced in as it is."""
    messages = body.get("messages")
    if not isinstance(messages, EncodedMessages):
        return json.dumps(body)
    rest = json.dumps({name: value for name, value in body.items() if name != "messages"})
    return f'{rest[:-1]}, "messages": [{", ".join(messages)}]}}'


def _peer(request: web.Request) -> tuple[str, int] | None:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return (str(peer[0]), int(peer[1])) if peer else None


class FakeSlackApi:
    def __init__(self, *, token: str | None = None, users_by_email: dict[str, str] | None = None) -> None:
        self.token = token
        self.users_by_email = dict(users_by_email or {})
        self.usergroups: dict[str, list[str]] = {}  # user group id -> member ids (usergroups.users.list)
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], StoredMessage] = {}
        self.home_views: dict[str, dict[str, Any]] = {}  # user id -> the App Home view last published
        self._posted_in: dict[str, list[StoredMessage]] = {}
        self._failures: dict[str, list[Failure]] = {}
        self._holds: list[Hold] = []
        self._ts = itertools.count(1)
        self._last_ts = 0.0
        self.clock: Callable[[], float] = time.time  # Slack's "now" for message ts (unix seconds)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._stop = asyncio.Event()
        self._release = asyncio.Event()
        self.base_url = ""

    # --- lifecycle ------------------------------------------------------------------------------

    async def __aenter__(self) -> FakeSlackApi:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_route("POST", "/hooks/{hook:.*}", self._hook)
        self._runner, self.base_url = await serve(app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stop.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        """For SLACK_API_URL / slack_sdk base_url (trailing slash included)."""
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "r") -> str:
        return f"{self.base_url}/hooks/{name}"

    # --- failure injection ----------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int = 500,
        error: str = "internal_error",
        retry_after: int | None = None,
        times: int | None = 1,
        applied: bool = False,
    ) -> None:
        """The next ``times`` calls of ``method`` (None: all of them) answer ``status``. With
        ``applied`` each call still takes effect (a message is posted) and only its answer fails,
        as when a connection drops after Slack did the work."""
        self._failures.setdefault(method, []).append(Failure(status, error, retry_after, times, applied=applied))

    def rate_limit(self, method: str, *, retry_after: int = 0, times: int = 1) -> None:
        self.fail(method, status=429, error="ratelimited", retry_after=retry_after, times=times)

    def hang(self, method: str, *, times: int | None = 1) -> None:
        """The next calls of ``method`` answer nothing until release() (then 503) or the end."""
        self._release.clear()
        self._failures.setdefault(method, []).append(Failure(0, "", None, times, hang=True))

    def release(self) -> None:
        """Hung calls answer 503 service_unavailable now (slack_sdk retries those)."""
        self._release.set()

    def hold(self, method: str, *, where: Callable[[dict[str, Any]], bool] = lambda args: True,
             after: int = 0) -> Hold:
        """Let ``after`` matching calls of ``method`` through, then take the next one: it takes
        effect and is recorded, but its answer waits until ``release()`` (or the fake stops). The
        caller is then mid-call, with Slack's work done and its answer not yet seen: the moment
        to kill it."""
        held = Hold(method, where, after)
        self._holds.append(held)
        return held

    def heal(self, method: str | None = None) -> None:
        if method is None:
            self._failures.clear()
        else:
            self._failures.pop(method, None)

    # --- reading what happened ------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def succeeded(self, method: str) -> list[Call]:
        return [call for call in self.calls_to(method) if call.ok]

    async def wait_for(
        self, predicate: Callable[[FakeSlackApi], bool], *, timeout: float = 10.0
    ) -> None:
        """Until predicate(fake) holds, re-checked on every recorded call (no polling)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self)), timeout)

    async def wait_for_calls(
        self, method: str, count: int = 1, *, ok: bool = True, timeout: float = 10.0
    ) -> list[Call]:
        pick = self.succeeded if ok else self.calls_to
        await self.wait_for(lambda fake: len(pick(method)) >= count, timeout=timeout)
        return pick(method)

    def message(self, channel: str, ts: str) -> StoredMessage:
        return self.messages[(channel, ts)]

    def messages_in(self, channel: str) -> list[StoredMessage]:
        """The channel's own messages (thread replies: `replies_to`)."""
        return [message for (where, _), message in self.messages.items()
                if where == channel and message.thread_ts is None]

    # --- handlers -------------------------------------------------------------------------------

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                data = await request.json()
                if isinstance(data, dict):
                    args.update(data)
            else:
                args.update(dict(await request.post()))
        return args

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else args.get("token")
        call = Call(method=method, args=args, token=token, path=request.path, peer=_peer(request))

        failure = self._take_failure(method)
        if failure is not None and failure.hang:
            call.status, call.ok = 503, False
            await self._record(call)
            stop, release = asyncio.ensure_future(self._stop.wait()), asyncio.ensure_future(self._release.wait())
            await asyncio.wait([stop, release], return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            release.cancel()
            return web.json_response({"ok": False, "error": "service_unavailable"}, status=503)
        if failure is not None:
            if failure.applied:
                self._answer(method, args)
            call.status, call.ok = failure.status, False
            await self._record(call)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            return web.json_response({"ok": False, "error": failure.error}, status=failure.status, headers=headers)
        if self.token is not None and token != self.token:
            call.ok = False
            await self._record(call)
            return web.json_response({"ok": False, "error": "invalid_auth"})

        body = self._answer(method, args)
        call.ok = bool(body.get("ok"))
        await self._record(call)
        held = self._take_hold(call)
        if held is not None:
            held.call = call
            held.arrived.set()
            stop = asyncio.ensure_future(self._stop.wait())
            release = asyncio.ensure_future(held.released.wait())
            await asyncio.wait([stop, release], return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            release.cancel()
        return web.Response(text=response_text(body), content_type="application/json")

    def _take_hold(self, call: Call) -> Hold | None:
        for held in self._holds:
            if held.method == call.method and held.matches(call.args):
                if held.skip > 0:
                    held.skip -= 1
                    return None
                self._holds.remove(held)
                return held
        return None

    async def _hook(self, request: web.Request) -> web.Response:
        args = await self._args(request)
        await self._record(Call(method="response_url", args=args, token=None, path=request.path,
                                peer=_peer(request)))
        return web.Response(text="ok")

    def _take_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        if failure.remaining is not None:
            failure.remaining -= 1
            if failure.remaining <= 0:
                queue.pop(0)
        return failure

    # --- Slack-shaped answers -------------------------------------------------------------------

    def _next_ts(self) -> str:
        """``clock()`` in microseconds (so conversations.history's ``oldest`` works), unique and
        increasing, as Slack's are."""
        self._last_ts = max(round(self.clock(), 6), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        blocks = args.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if method == "auth.test":
            return {"ok": True, "url": "https://fake.slack.com/", "team": "Fake", "user": "approvals",
                    "team_id": "T0FAKE", "user_id": "UBOT", "bot_id": "BBOT", "is_enterprise_install": False}
        if method == "chat.postMessage":
            channel = str(args.get("channel", ""))
            ts = self._next_ts()
            metadata = args.get("metadata")
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            thread_ts = args.get("thread_ts")
            stored = StoredMessage(
                channel, ts, str(args.get("text", "")), blocks, metadata=metadata if isinstance(metadata, dict) else None,
                thread_ts=str(thread_ts) if thread_ts else None,
            )
            self.messages[(channel, ts)] = stored
            if stored.thread_ts is None:  # as in Slack, a thread reply is not in the channel's history
                self._posted_in.setdefault(channel, []).append(stored)  # in ts order
            return {"ok": True, "channel": channel, "ts": ts,
                    "message": {"type": "message", "ts": ts, "text": args.get("text", ""), "blocks": blocks}}
        if method == "chat.update":
            channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
            stored = self.messages.get((channel, ts))
            if stored is None:
                return {"ok": False, "error": "message_not_found"}
            stored.text, stored.blocks = str(args.get("text", "")), blocks
            stored.updates += 1
            return {"ok": True, "channel": channel, "ts": ts, "text": stored.text}
        if method == "conversations.history":
            return self._history(args)
        if method == "conversations.replies":
            return self._replies(args)
        if method == "usergroups.users.list":
            group = str(args.get("usergroup", ""))
            if group not in self.usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": list(self.usergroups[group])}
        if method == "chat.getPermalink":
            channel, ts = str(args.get("channel", "")), str(args.get("message_ts", ""))
            return {"ok": True, "channel": channel,
                    "permalink": f"https://fake.slack.com/archives/{channel}/p{ts.replace('.', '')}"}
        if method == "conversations.open":
            users = str(args.get("users", ""))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0].lstrip("UW")}}
        if method == "users.lookupByEmail":
            user_id = self.users_by_email.get(str(args.get("email", "")))
            if user_id is None:
                return {"ok": False, "error": "users_not_found"}
            return {"ok": True, "user": {"id": user_id, "name": args["email"].split("@")[0]}}
        if method == "users.info":
            user_id = str(args.get("user", ""))
            emails = [email for email, uid in self.users_by_email.items() if uid == user_id]
            profile = {"display_name": user_id.lower(), "real_name": user_id.lower(),
                       **({"email": emails[0]} if emails else {})}
            return {"ok": True, "user": {"id": user_id, "name": user_id.lower(), "profile": profile}}
        if method == "views.publish":
            view = args.get("view")
            if isinstance(view, str):
                view = json.loads(view)
            user_id = str(args.get("user_id", ""))
            self.home_views[user_id] = view or {}
            return {"ok": True, "view": {**(view or {}), "id": f"VHOME{user_id}"}}
        if method == "views.open":
            view = args.get("view")
            if isinstance(view, str):
                view = json.loads(view)
            return {"ok": True, "view": {**(view or {}), "id": f"V{next(self._ts):08d}"}}
        return {"ok": True}

    def replies_to(self, channel: str, ts: str) -> list[StoredMessage]:
        """The replies in a message's thread, oldest first."""
        return sorted((m for m in self.messages.values() if m.channel == channel and m.thread_ts == ts),
                      key=lambda m: float(m.ts))

    def _replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """The parent, then its replies (one page); metadata only with ``include_all_metadata``."""
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        parent = self.messages.get((channel, ts))
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = []
        for stored in [parent, *self.replies_to(channel, ts)]:
            message: dict[str, Any] = {"type": "message", "ts": stored.ts, "text": stored.text, "thread_ts": ts}
            if with_metadata and stored.metadata is not None:
                message["metadata"] = stored.metadata
            messages.append(message)
        return {"ok": True, "messages": messages, "has_more": False}

    def _history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Newest first, ``oldest``/``latest`` exclusive, ``limit`` per page, an opaque cursor;
        metadata only with ``include_all_metadata``, as Slack does."""
        channel = str(args.get("channel", ""))
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
        limit = int(args.get("limit") or 100)
        start = int(str(args.get("cursor") or "0").removeprefix("page:") or 0)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        newest_first = reversed(self._posted_in.get(channel, []))
        found = [m for m in itertools.takewhile(lambda m: float(m.ts) > oldest, newest_first) if float(m.ts) < latest]
        messages = EncodedMessages(stored.history_json(with_metadata) for stored in found[start:start + limit])
        has_more = start + limit < len(found)
        return {"ok": True, "messages": messages, "has_more": has_more,
                "response_metadata": {"next_cursor": f"page:{start + limit}" if has_more else ""}}
