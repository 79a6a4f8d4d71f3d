"""Which OAuth scope each Web API method needs, and Slack's answer when the token lacks it.

The table follows the `security` entries of Slack's OpenAPI description of the Web API
(tests/sandbox/test_scopes.py checks it against that file when it is at hand), with the old
user-token names `chat:write:bot` / `chat:write:user` under today's bot-token name `chat:write`.
A method acting on a conversation needs the scope for that kind of conversation, so the answer
names the one that applies, as Slack's does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .people import Channel

# Conversation kinds, as the scope prefixes spell them.
PUBLIC, PRIVATE, IM, MPIM = "channels", "groups", "im", "mpim"


def _by_kind(action: str) -> dict[str, str]:
    return {kind: f"{kind}:{action}" for kind in (PUBLIC, PRIVATE, IM, MPIM)}


REQUIRED: dict[str, str | dict[str, str] | None] = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.delete": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.getPermalink": None,
    "conversations.open": _by_kind("write"),
    "conversations.info": _by_kind("read"),
    "conversations.history": _by_kind("history"),
    "conversations.replies": _by_kind("history"),
    "usergroups.users.list": "usergroups:read",
    "users.info": "users:read",
    "users.lookupByEmail": "users:read.email",
    "views.open": None,
    "views.push": None,
    "views.update": None,
}


def kind_of(channel: Channel | None) -> str:
    if channel is None:
        return PUBLIC
    return IM if channel.is_im else PUBLIC


def needed(method: str, channel: Channel | None = None, *, default_kind: str = PUBLIC) -> str | None:
    """The scope `method` needs here; conversations.open with users= is a DM, hence im:write."""
    required = REQUIRED.get(method)
    if isinstance(required, dict):
        return required[kind_of(channel) if channel is not None else default_kind]
    return required


def missing_scope(method: str, granted: tuple[str, ...], channel: Channel | None = None,
                  *, default_kind: str = PUBLIC) -> dict[str, Any] | None:
    """Slack's answer when the token lacks the scope, else None."""
    scope = needed(method, channel, default_kind=default_kind)
    if scope is None or scope in granted:
        return None
    return {"ok": False, "error": "missing_scope", "needed": scope, "provided": ",".join(granted)}


def accepted_header(method: str) -> Mapping[str, str]:
    """x-accepted-oauth-scopes, as Slack sends with every answer."""
    required = REQUIRED.get(method)
    if required is None:
        return {}
    scopes = sorted(set(required.values())) if isinstance(required, dict) else [required]
    return {"x-accepted-oauth-scopes": ",".join(scopes)}
