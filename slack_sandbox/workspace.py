"""The workspace's state: people, channels, messages, open modals, and who sees what.

Everything that changes goes through here so that the UI and tests hear about it.
"""

from __future__ import annotations

import asyncio
import copy
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .clock import Clock, SystemClock
from .people import (
    APP_ID,
    BOT_ID,
    BOT_USER,
    BOT_USER_ID,
    SLACKBOT,
    TEAM_ID,
    Channel,
    User,
    default_channels,
    default_users,
)


@dataclass
class Message:
    channel: str
    ts: str
    user: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    visible_to: str | None = None  # an ephemeral message's only reader
    edited_ts: str | None = None
    command: str | None = None  # the "/cmd text" line a user typed (in_channel responses)
    metadata: dict[str, Any] | None = None  # Slack message metadata: {"event_type", "event_payload"}
    thread_ts: str | None = None  # a reply in the thread of this message

    @property
    def is_bot(self) -> bool:
        return self.user == BOT_USER_ID

    def to_slack(self, *, with_metadata: bool = False) -> dict[str, Any]:
        """The message object as the Web API and interaction payloads show it; metadata only
        where the caller asked for it (conversations.history's include_all_metadata)."""
        out: dict[str, Any] = {"type": "message", "user": self.user, "text": self.text, "ts": self.ts,
                               "team": TEAM_ID}
        if self.blocks:
            out["blocks"] = copy.deepcopy(self.blocks)
        if self.is_bot:
            out.update({"bot_id": BOT_ID, "app_id": APP_ID,
                        "bot_profile": {"id": BOT_ID, "app_id": APP_ID, "name": BOT_USER.real_name,
                                        "team_id": TEAM_ID, "deleted": False}})
        if self.edited_ts:
            out["edited"] = {"user": self.user, "ts": self.edited_ts}
        if with_metadata and self.metadata is not None:
            out["metadata"] = copy.deepcopy(self.metadata)
        if self.thread_ts is not None:
            out["thread_ts"] = self.thread_ts
        return out

    def to_ui(self) -> dict[str, Any]:
        out = self.to_slack()
        out.update({"channel": self.channel, "ephemeral": self.visible_to is not None})
        if self.command:
            out["command"] = self.command
        return out

    def visible_for(self, user_id: str) -> bool:
        return self.visible_to is None or self.visible_to == user_id


@dataclass
class OpenView:
    id: str
    user_id: str
    view: dict[str, Any]  # as given by the app, plus Slack's bookkeeping keys
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """What changed, for live updates: kind is "message", "delete", "views" or "home"."""

    kind: str
    message: Message | None = None
    user_id: str | None = None  # for "views" and "home": whose modal stack, whose Home tab

    def visible_for(self, user_id: str) -> bool:
        if self.message is not None:
            return self.message.visible_for(user_id)
        return self.user_id == user_id


class Workspace:
    """In-memory Slack workspace. Not thread-safe; lives on one event loop."""

    def __init__(self, clock: Clock | None = None, users: list[User] | None = None,
                 channels: list[Channel] | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        humans = users if users is not None else default_users()
        self.users: dict[str, User] = {u.id: u for u in [*humans, BOT_USER, SLACKBOT]}
        self.channels: dict[str, Channel] = {
            c.id: c for c in (channels if channels is not None else default_channels([u.id for u in humans]))}
        self.messages: dict[str, list[Message]] = {cid: [] for cid in self.channels}
        self.view_stacks: dict[str, list[OpenView]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}  # user id -> the app's Home tab as published
        self._last_ts = 0.0
        self._listeners: list[Callable[[Change], None]] = []
        self._changed: asyncio.Event | None = None  # created on first use, inside the event loop
        for human in humans:
            self.open_dm(human.id)

    # ---- people and channels -------------------------------------------------------------
    def humans(self) -> list[User]:
        return [u for u in self.users.values() if not u.is_bot]

    def user_by_email(self, email: str) -> User | None:
        wanted = email.strip().lower()
        return next((u for u in self.humans() if u.email.lower() == wanted), None)

    def resolve_channel(self, ref: str) -> Channel | None:
        """A channel by id, by name ("#name" or "name"), or a user id meaning the DM with the bot."""
        ref = ref.strip()
        if ref in self.channels:
            return self.channels[ref]
        if ref in self.users and not self.users[ref].is_bot:
            return self.open_dm(ref)
        name = ref.removeprefix("#")
        return next((c for c in self.channels.values() if not c.is_im and c.name == name), None)

    def open_dm(self, user_id: str) -> Channel:
        channel_id = "D" + user_id.removeprefix("U")
        if channel_id not in self.channels:
            self.channels[channel_id] = Channel(channel_id, user_id, {user_id, BOT_USER_ID}, is_im=True)
            self.messages[channel_id] = []
        return self.channels[channel_id]

    def channels_for(self, user_id: str) -> list[Channel]:
        return [c for c in self.channels.values() if user_id in c.members]

    def create_channel(self, name: str, members: set[str]) -> Channel:
        """A new public channel; the bot is in it only if listed (or invited later)."""
        name = name.strip().removeprefix("#")
        if not name or any(c.name == name for c in self.channels.values() if not c.is_im):
            raise ValueError(f"a channel needs a new name, not {name!r}")
        channel = Channel("C0" + secrets.token_hex(4).upper(), name, set(members))
        self.channels[channel.id] = channel
        self.messages[channel.id] = []
        return channel

    def invite(self, channel: Channel, user_id: str) -> bool:
        """Add a member (a bot only reads and posts where it was invited); False if already in."""
        if channel.is_im or user_id not in self.users:
            raise ValueError(f"cannot invite {user_id} to {channel.id}")
        joined = user_id not in channel.members
        channel.members.add(user_id)
        return joined

    def remove(self, channel: Channel, user_id: str) -> bool:
        """Take a member out; False if they were not in it."""
        if channel.is_im:
            raise ValueError(f"nobody leaves the direct messages {channel.id}")
        left = user_id in channel.members
        channel.members.discard(user_id)
        return left

    # ---- messages ------------------------------------------------------------------------
    def next_ts(self) -> str:
        """Slack's message timestamp: unique and increasing, seconds.microseconds."""
        now = max(self.clock.now(), self._last_ts + 0.000001)
        self._last_ts = round(now, 6)
        return f"{self._last_ts:.6f}"

    def post(self, channel: str, user: str, text: str = "", blocks: list[dict[str, Any]] | None = None,
             visible_to: str | None = None, command: str | None = None,
             metadata: dict[str, Any] | None = None, thread_ts: str | None = None) -> Message:
        message = Message(channel, self.next_ts(), user, text, list(blocks or []), visible_to, command=command,
                          metadata=metadata, thread_ts=thread_ts)
        self.messages[channel].append(message)
        self._notify(Change("message", message=message))
        return message

    def find(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self.messages.get(channel, []) if m.ts == ts), None)

    def replace(self, message: Message, text: str, blocks: list[dict[str, Any]] | None,
                metadata: dict[str, Any] | None = None, *, drop_metadata: bool = False) -> Message:
        """New text, and new blocks / metadata when given (Slack keeps the old ones otherwise);
        drop_metadata removes the metadata (chat.update with an empty one)."""
        message.text = text
        if blocks is not None:
            message.blocks = list(blocks)
        if drop_metadata:
            message.metadata = None
        elif metadata is not None:
            message.metadata = metadata
        message.edited_ts = self.next_ts()
        self._notify(Change("message", message=message))
        return message

    def delete(self, message: Message) -> None:
        self.messages[message.channel].remove(message)
        self._notify(Change("delete", message=message))

    def history(self, channel: str, viewer: str | None = None) -> list[Message]:
        return [m for m in self.messages.get(channel, []) if viewer is None or m.visible_for(viewer)]

    # ---- modals --------------------------------------------------------------------------
    def views_of(self, user_id: str) -> list[OpenView]:
        return self.view_stacks.get(user_id, [])

    def find_view(self, view_id: str | None = None, external_id: str | None = None) -> OpenView | None:
        for stack in self.view_stacks.values():
            for open_view in stack:
                if view_id and open_view.id == view_id:
                    return open_view
                if external_id and open_view.view.get("external_id") == external_id:
                    return open_view
        return None

    def show_view(self, user_id: str, view: dict[str, Any], *, push: bool, replace: OpenView | None = None) -> OpenView:
        """Open (new stack), push (on top) or replace a modal, filling in Slack's bookkeeping."""
        stack = self.view_stacks.setdefault(user_id, [])
        if replace is not None:
            view_id, root, previous = replace.id, replace.view["root_view_id"], replace.view.get("previous_view_id")
        else:
            view_id = "V" + secrets.token_hex(5).upper()
            root = stack[0].id if (push and stack) else view_id
            previous = stack[-1].id if (push and stack) else None
        full = copy.deepcopy(view)
        full.update({"id": view_id, "team_id": TEAM_ID, "app_id": APP_ID, "bot_id": BOT_ID,
                     "app_installed_team_id": TEAM_ID, "root_view_id": root, "previous_view_id": previous,
                     "hash": f"{int(self.clock.now())}.{secrets.token_hex(4)}",
                     "state": {"values": {}}})
        for key, default in (("private_metadata", ""), ("callback_id", ""), ("external_id", ""),
                             ("clear_on_close", False), ("notify_on_close", False)):
            full.setdefault(key, default)
        opened = OpenView(view_id, user_id, full)
        if replace is not None:
            stack[stack.index(replace)] = opened
        elif push:
            stack.append(opened)
        else:
            stack[:] = [opened]
        self._notify(Change("views", user_id=user_id))
        return opened

    def publish_home(self, user_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """views.publish: the person's Home tab is replaced (its id stays), with Slack's bookkeeping."""
        current = self.home_views.get(user_id)
        view_id = current["id"] if current else "V" + secrets.token_hex(5).upper()
        full = copy.deepcopy(view)
        full.update({"id": view_id, "team_id": TEAM_ID, "app_id": APP_ID, "bot_id": BOT_ID,
                     "app_installed_team_id": TEAM_ID, "root_view_id": view_id, "previous_view_id": None,
                     "hash": f"{int(self.clock.now())}.{secrets.token_hex(4)}", "state": {"values": {}}})
        for key in ("private_metadata", "callback_id", "external_id"):
            full.setdefault(key, "")
        self.home_views[user_id] = full
        self._notify(Change("home", user_id=user_id))
        return full

    def set_view_errors(self, open_view: OpenView, errors: dict[str, str]) -> None:
        open_view.errors = dict(errors)
        self._notify(Change("views", user_id=open_view.user_id))

    def close_view(self, open_view: OpenView, *, all_views: bool = False) -> None:
        stack = self.view_stacks.get(open_view.user_id, [])
        if all_views:
            stack.clear()
        elif open_view in stack:
            stack.remove(open_view)
        self._notify(Change("views", user_id=open_view.user_id))

    # ---- change notification -------------------------------------------------------------
    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _notify(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)
        if self._changed is not None:
            self._changed.set()  # wakes every wait_until(); they re-check and wait on a fresh event
            self._changed = None

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait (event-driven) until predicate() is truthy; returns its value."""
        async def _wait() -> Any:
            while True:
                result = predicate()
                if result:
                    return result
                if self._changed is None:
                    self._changed = asyncio.Event()
                await self._changed.wait()
        return await asyncio.wait_for(_wait(), timeout)
