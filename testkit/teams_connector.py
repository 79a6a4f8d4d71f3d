"""A small recording fake of the Bot Connector (Teams' side of a bot's outgoing calls), for tests.

An aiohttp server on 127.0.0.1, port 0, with the paths the Agents SDK calls under
``<service_url>/v3/conversations``: create a conversation, send, reply, update. It keeps every
posted activity and its latest version, records each call with its Authorization header, can be
told to fail the next calls, or to do a post and hold back its answer (so that a test can kill the
caller while the post is in flight), and serves a JSON Web Key Set for token tests.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from testkit.loopback import serve


@dataclass
class Call:
    verb: str  # create | send | reply | update
    path: str
    body: dict[str, Any]
    authorization: str | None


@dataclass
class Posted:
    conversation_id: str
    activity_id: str
    activity: dict[str, Any]
    updates: list[dict[str, Any]] = field(default_factory=list)
    verb: str = "send"  # send (a new post, outside any turn) | reply (an answer within a turn)

    @property
    def latest(self) -> dict[str, Any]:
        return self.updates[-1] if self.updates else self.activity

    @property
    def card(self) -> dict[str, Any] | None:
        """The Adaptive Card it shows now."""
        for attachment in self.latest.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment["content"]
        return None

    @property
    def text(self) -> str:
        return str(self.latest.get("text") or "")


@dataclass
class Hold:
    """A post that takes effect but whose answer waits (see FakeConnector.hold)."""

    verb: str
    matches: Callable[[str], bool]  # by conversation id
    skip: int  # matching posts still let through before the one held
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    post: Posted | None = None  # the held post, once it arrived

    def release(self) -> None:
        self.released.set()


class FakeConnector:
    def __init__(self, jwks: dict[str, Any] | None = None) -> None:
        self.calls: list[Call] = []
        self.posted: list[Posted] = []
        self.jwks = jwks or {"keys": []}
        self._ids = itertools.count(1)
        self._failures: list[tuple[int, str]] = []
        self._holds: list[Hold] = []
        self._stop = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    @property
    def service_url(self) -> str:
        return f"{self.base_url}/_connector/"

    @property
    def jwks_url(self) -> str:
        return f"{self.base_url}/keys"

    def fail_next(self, count: int, status: int = 503, conversation: str = "") -> None:
        """Answer the next `count` calls (to `conversation` only, when given) with `status`."""
        self._failures += [(status, conversation)] * count

    def hold(self, verb: str = "send", *, conversation: str | None = None, after: int = 0) -> Hold:
        """Let ``after`` matching posts through, then take the next one: it is stored (Teams did
        the post) but its answer waits until ``release()`` or the fake stops. The caller is then
        mid-call with the post made and its id not yet seen: the moment to kill it."""
        held = Hold(verb, lambda where: conversation is None or where == conversation, after)
        self._holds.append(held)
        return held

    # --- what the tests read ---------------------------------------------------------------------

    def in_conversation(self, conversation_id: str) -> list[Posted]:
        return [post for post in self.posted if post.conversation_id == conversation_id]

    def personal_chat_of(self, user_id: str) -> str:
        return f"a:chat-{user_id}"

    def find(self, conversation_id: str, activity_id: str) -> Posted:
        [post] = [p for p in self.posted if p.conversation_id == conversation_id and p.activity_id == activity_id]
        return post

    def calls_of(self, verb: str) -> list[Call]:
        return [call for call in self.calls if call.verb == verb]

    # --- the server ------------------------------------------------------------------------------

    async def __aenter__(self) -> FakeConnector:
        app = web.Application()
        app.router.add_post("/_connector/v3/conversations", self._create)
        app.router.add_post("/_connector/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/_connector/v3/conversations/{conversation}/activities/{activity}", self._reply)
        app.router.add_put("/_connector/v3/conversations/{conversation}/activities/{activity}", self._update)
        app.router.add_get("/keys", self._keys)
        self._runner, self.base_url = await serve(app)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _record(self, verb: str, request: web.Request) -> tuple[dict[str, Any], web.Response | None]:
        body = await request.json()
        self.calls.append(Call(verb, request.path, body, request.headers.get("Authorization")))
        conversation = request.match_info.get("conversation", "")
        for index, (status, only) in enumerate(self._failures):
            if not only or only == conversation:
                del self._failures[index]
                return body, web.json_response({"error": {"code": "ServiceError"}}, status=status)
        return body, None

    async def _create(self, request: web.Request) -> web.Response:
        body, failed = await self._record("create", request)
        if failed:
            return failed
        members = body.get("members") or []
        if len(members) != 1 or not members[0].get("id"):
            return web.json_response({"error": {"code": "BadArgument"}}, status=400)
        return web.json_response({"id": self.personal_chat_of(members[0]["id"])}, status=201)

    async def _store(self, verb: str, conversation: str, body: dict[str, Any]) -> web.Response:
        post = Posted(conversation, f"act-{next(self._ids)}", body, verb=verb)
        self.posted.append(post)
        held = self._take_hold(post)
        if held is not None:
            held.post = post
            held.arrived.set()
            stop = asyncio.ensure_future(self._stop.wait())
            release = asyncio.ensure_future(held.released.wait())
            await asyncio.wait([stop, release], return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            release.cancel()
        return web.json_response({"id": post.activity_id}, status=201)

    def _take_hold(self, post: Posted) -> Hold | None:
        for held in self._holds:
            if held.verb == post.verb and held.matches(post.conversation_id):
                if held.skip > 0:
                    held.skip -= 1
                    return None
                self._holds.remove(held)
                return held
        return None

    async def _send(self, request: web.Request) -> web.Response:
        body, failed = await self._record("send", request)
        return failed or await self._store("send", request.match_info["conversation"], body)

    async def _reply(self, request: web.Request) -> web.Response:
        body, failed = await self._record("reply", request)
        return failed or await self._store("reply", request.match_info["conversation"], body)

    async def _update(self, request: web.Request) -> web.Response:
        body, failed = await self._record("update", request)
        if failed:
            return failed
        conversation, activity = request.match_info["conversation"], request.match_info["activity"]
        matches = [p for p in self.posted if p.conversation_id == conversation and p.activity_id == activity]
        if not matches:
            return web.json_response({"error": {"code": "ActivityNotFound"}}, status=404)
        matches[0].updates.append(body)
        return web.json_response({"id": activity})

    async def _keys(self, request: web.Request) -> web.Response:
        return web.json_response(self.jwks)
