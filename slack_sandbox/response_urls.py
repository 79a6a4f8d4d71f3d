"""response_url webhooks: the app answers an interaction by POSTing a message here.

ephemeral (default) or in_channel; replace_original / delete_original act on the message
the interaction came from (for a slash command: the last message posted through this URL).
For a click, Slack replaces the clicked message unless told `"replace_original": false`,
which is why apps that only want to answer privately must say so.
Errors are real HTTP statuses with short text bodies, as Slack's webhooks answer.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .blockkit import BlockKitError, check_blocks, with_block_ids
from .grants import GrantError, ResponseUrl
from .people import BOT_USER_ID
from .sandbox import SANDBOX_KEY, Sandbox
from .workspace import Message


async def handle_response_url(request: web.Request) -> web.Response:
    sandbox: Sandbox = request.app[SANDBOX_KEY]
    try:
        body = json.loads(await request.text() or "null")
    except ValueError:
        return _error(400, "invalid_payload")
    if not isinstance(body, dict):
        return _error(400, "invalid_payload")
    try:
        grant = sandbox.grants.use_response_url(request.match_info["token"])
    except GrantError as error:
        return _error(404, error.code)
    return respond(sandbox, grant, body)


def respond(sandbox: Sandbox, grant: ResponseUrl, body: dict[str, Any]) -> web.Response:
    """Apply one response_url message (already counted as a use)."""
    workspace = sandbox.workspace
    has_content = bool(body.get("text")) or bool(body.get("blocks"))
    blocks = body.get("blocks")
    if blocks is not None:
        try:
            blocks = with_block_ids(check_blocks(blocks))
        except BlockKitError as error:
            return _error(400, f"invalid_blocks: {error}")
    text = body.get("text") or ""
    if not isinstance(text, str):
        return _error(400, "invalid_payload")
    target = _original(sandbox, grant)
    if _flag(body, "delete_original"):
        if target is None:
            return _error(404, "message_not_found")
        workspace.delete(target)
        if not has_content:
            return _ok()
    elif _replaces(grant, body):
        if not has_content:
            return _error(400, "no_text")
        if target is not None:
            workspace.replace(target, text, blocks if blocks is not None else [])
            return _ok()
    if not has_content:
        return _error(400, "no_text")
    visible_to = None if body.get("response_type") == "in_channel" else grant.user_id
    message = workspace.post(grant.channel_id, BOT_USER_ID, text, blocks, visible_to=visible_to)
    grant.posted.append(message)
    return _ok()


def _original(sandbox: Sandbox, grant: ResponseUrl) -> Message | None:
    candidates = [grant.original] if grant.original is not None else list(reversed(grant.posted))
    for message in candidates:
        if message is not None and sandbox.workspace.find(message.channel, message.ts) is message:
            return message
    return None


def _replaces(grant: ResponseUrl, body: dict[str, Any]) -> bool:
    if grant.kind == "actions" and "replace_original" not in body:
        return True
    return _flag(body, "replace_original")


def _flag(body: dict[str, Any], key: str) -> bool:
    value = body.get(key)
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _ok() -> web.Response:
    return web.Response(text="ok", content_type="text/html")


def _error(status: int, code: str) -> web.Response:
    return web.Response(status=status, text=code, content_type="text/html")
