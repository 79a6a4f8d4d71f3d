"""The Web API methods the bot uses, with Slack's argument rules, answers and error codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .blockkit import (
    MESSAGE_BLOCKS_TEXT_MAX,
    MESSAGE_TEXT_MAX,
    UPDATE_TEXT_MAX,
    BlockKitError,
    blocks_text_length,
    check_blocks,
    check_home_view,
    check_view,
    with_block_ids,
    with_view_ids,
)
from .grants import GrantError
from .history import HistoryError, Window, page_of, parse_limit, parse_ts
from .message_metadata import MetadataError, is_removal, parse_metadata
from .people import APP_ID, BOT_ID, BOT_USER, BOT_USER_ID, TEAM_ID, TEAM_NAME, Channel
from .sandbox import Sandbox
from .workspace import Message


class ApiError(Exception):
    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.code, **self.extra}


def invalid_blocks(error: BlockKitError) -> ApiError:
    return ApiError("invalid_blocks", errors=[str(error)],
                    response_metadata={"messages": [f"[ERROR] {error}"]})


class Args:
    """Arguments from a query, form or JSON body: form values are strings, JSON values typed."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def text(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, (str, int, float)):
            raise ApiError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {name} must be a string"]})
        return str(value)

    def structured(self, name: str, bad_format: str) -> Any:
        """A list/object argument that forms send as a JSON string."""
        value = self.raw.get(name)
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise ApiError(bad_format) from None
        return value

    def flag(self, name: str) -> bool:
        """A boolean argument: true, 1, "true" or "1" (slack_sdk sends 1/0 in queries)."""
        value = self.raw.get(name)
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("1", "true") if value is not None else False


def auth_test(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    return {"url": f"{sandbox.base_url}/", "team": TEAM_NAME, "user": BOT_USER.name, "team_id": TEAM_ID,
            "user_id": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID, "is_enterprise_install": False}


def _channel(sandbox: Sandbox, args: Args, *, by_name: bool = True) -> Channel:
    ref = args.text("channel")
    if not ref:
        raise ApiError("channel_not_found")
    channel = sandbox.workspace.resolve_channel(ref) if by_name else sandbox.workspace.channels.get(ref)
    if channel is None:
        raise ApiError("channel_not_found")
    return channel


def _content(args: Args, *, required: bool = True,
             text_max: int = MESSAGE_TEXT_MAX) -> tuple[str | None, list[dict[str, Any]] | None]:
    text = args.text("text")
    blocks = args.structured("blocks", "invalid_blocks_format")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise ApiError("invalid_blocks_format")
        if blocks_text_length(blocks) > MESSAGE_BLOCKS_TEXT_MAX:
            raise ApiError("msg_blocks_too_long")
        try:
            blocks = with_block_ids(check_blocks(blocks))
        except BlockKitError as error:
            raise invalid_blocks(error) from None
    if required and not text and not blocks:
        raise ApiError("no_text")
    if text and len(text) > text_max:
        raise ApiError("msg_too_long")
    return text, blocks


def _metadata(args: Args) -> dict[str, Any] | None:
    try:
        return parse_metadata(args.raw.get("metadata"))
    except MetadataError as error:
        raise ApiError(error.code) from None


def chat_post_message(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    channel = _channel(sandbox, args)
    if BOT_USER_ID not in channel.members:
        raise ApiError("not_in_channel")
    text, blocks = _content(args)
    metadata = _metadata(args)
    thread_ts = args.text("thread_ts") or None
    if thread_ts is not None:  # a reply goes in the thread of the top-level message it names
        parent = sandbox.workspace.find(channel.id, thread_ts)
        if parent is None or parent.visible_to is not None:
            raise ApiError("thread_not_found")
        thread_ts = parent.thread_ts or parent.ts
    message = sandbox.workspace.post(channel.id, BOT_USER_ID, text or "", blocks, metadata=metadata,
                                     thread_ts=thread_ts)
    return {"channel": channel.id, "ts": message.ts, "message": message.to_slack()}


def _message(sandbox: Sandbox, channel: Channel, ts: str | None) -> Message:
    message = sandbox.workspace.find(channel.id, ts or "")
    if message is None or message.visible_to is not None:
        raise ApiError("message_not_found")
    return message


def chat_update(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    channel = _channel(sandbox, args, by_name=False)
    message = _message(sandbox, channel, args.text("ts"))
    if not message.is_bot:
        raise ApiError("cant_update_message")
    text, blocks = _content(args, required=False, text_max=UPDATE_TEXT_MAX)
    if text is None and blocks is None:
        raise ApiError("no_text")
    removing = "metadata" in args.raw and is_removal(args.raw["metadata"])
    metadata = None if removing else _metadata(args)
    sandbox.workspace.replace(message, text if text is not None else message.text, blocks, metadata,
                              drop_metadata=removing)
    return {"channel": channel.id, "ts": message.ts, "text": message.text, "message": message.to_slack()}


def chat_delete(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    channel = _channel(sandbox, args, by_name=False)
    message = _message(sandbox, channel, args.text("ts"))
    if not message.is_bot:
        raise ApiError("cant_delete_message")
    sandbox.workspace.delete(message)
    return {"channel": channel.id, "ts": message.ts}


def chat_post_ephemeral(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    channel = _channel(sandbox, args)
    user_id = args.text("user")
    user = sandbox.workspace.users.get(user_id or "")
    if user is None:
        raise ApiError("user_not_found")
    if user.id not in channel.members:
        raise ApiError("user_not_in_channel")
    text, blocks = _content(args)
    message = sandbox.workspace.post(channel.id, BOT_USER_ID, text or "", blocks, visible_to=user.id)
    return {"message_ts": message.ts}


def chat_get_permalink(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    channel = _channel(sandbox, args, by_name=False)
    message = _message(sandbox, channel, args.text("message_ts"))
    return {"channel": channel.id, "permalink": sandbox.permalink(channel.id, message.ts)}


def conversations_open(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    if args.text("channel"):
        channel = _channel(sandbox, args, by_name=False)
        return {"channel": channel.to_slack(), "no_op": True, "already_open": True}
    users = [u.strip() for u in (args.text("users") or "").split(",") if u.strip()]
    if not users:
        raise ApiError("users_list_not_supplied")
    if len(users) > 1:
        raise ApiError("method_not_supported_for_channel_type")  # group DMs are not part of the sandbox
    user = sandbox.workspace.users.get(users[0])
    if user is None or user.is_bot:
        raise ApiError("user_not_found")
    channel = sandbox.workspace.open_dm(user.id)
    return {"no_op": True, "already_open": True, "channel": {"id": channel.id}}


def conversations_info(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    return {"channel": _channel(sandbox, args, by_name=False).to_slack()}


def conversations_history(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    """Newest first; ephemeral messages are never part of a conversation's history. The bot
    reads only conversations it is a member of (a bot token's rule)."""
    channel = _channel(sandbox, args, by_name=False)
    if BOT_USER_ID not in channel.members:
        raise ApiError("not_in_channel")
    try:
        window = Window(parse_ts(args.text("oldest"), "invalid_ts_oldest"),
                        parse_ts(args.text("latest"), "invalid_ts_latest"), args.flag("inclusive"))
        limit = parse_limit(args.text("limit"))
        page = page_of([m for m in sandbox.workspace.history(channel.id) if m.visible_to is None
                        and m.thread_ts is None],  # replies live in their thread (conversations.replies)
                       window, limit, args.text("cursor") or None)
    except HistoryError as error:
        if error.code == "invalid_arguments":
            raise ApiError(error.code, response_metadata={"messages": ["[ERROR] limit must be a number"]}) from None
        raise ApiError(error.code) from None
    with_metadata = args.flag("include_all_metadata")
    answer: dict[str, Any] = {
        "messages": [m.to_slack(with_metadata=with_metadata) for m in page.messages],
        "has_more": page.has_more, "pin_count": 0, "channel_actions_ts": None, "channel_actions_count": 0,
    }
    if page.next_cursor:
        answer["response_metadata"] = {"next_cursor": page.next_cursor}
    return answer


def conversations_replies(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    """A thread: its parent, then the replies oldest first (one page; threads here are short)."""
    channel = _channel(sandbox, args, by_name=False)
    if BOT_USER_ID not in channel.members:
        raise ApiError("not_in_channel")
    parent = _message(sandbox, channel, args.text("ts"))
    replies = [m for m in sandbox.workspace.history(channel.id) if m.thread_ts == parent.ts and m.visible_to is None]
    with_metadata = args.flag("include_all_metadata")
    return {"messages": [m.to_slack(with_metadata=with_metadata) for m in [parent, *replies]], "has_more": False}


def usergroups_users_list(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    """The sandbox has no user groups: every id is unknown, as Slack answers for one."""
    raise ApiError("no_such_subteam")


def _tz_offset(tz: str, now: float) -> int:
    offset = datetime.fromtimestamp(now, ZoneInfo(tz)).utcoffset()
    return int(offset.total_seconds()) if offset else 0


def users_info(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    user = sandbox.workspace.users.get(args.text("user") or "")
    if user is None:
        raise ApiError("user_not_found")
    return {"user": user.to_slack(_tz_offset(user.tz, sandbox.clock.now()))}


def users_lookup_by_email(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    email = args.text("email")
    if not email:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: email"]})
    user = sandbox.workspace.user_by_email(email)
    if user is None:
        raise ApiError("users_not_found")
    return {"user": user.to_slack(_tz_offset(user.tz, sandbox.clock.now()))}


def _view_arg(args: Args) -> dict[str, Any]:
    view = args.structured("view", "invalid_arguments")
    if view is None:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: view"]})
    try:
        return with_view_ids(check_view(view))
    except BlockKitError as error:
        raise ApiError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {error}"]}) from None


def _exchange(sandbox: Sandbox, args: Args) -> str:
    trigger_id = args.text("trigger_id")
    if not trigger_id:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]})
    try:
        return sandbox.grants.exchange_trigger(trigger_id).user_id
    except GrantError as error:
        raise ApiError(error.code) from None


def views_open(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    view = _view_arg(args)
    user_id = _exchange(sandbox, args)
    return {"view": sandbox.workspace.show_view(user_id, view, push=False).view}


def views_push(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    view = _view_arg(args)
    user_id = _exchange(sandbox, args)
    stack = sandbox.workspace.views_of(user_id)
    if not stack:
        raise ApiError("not_found")
    if len(stack) >= 3:
        raise ApiError("push_limit_reached")
    return {"view": sandbox.workspace.show_view(user_id, view, push=True).view}


def views_update(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    view = _view_arg(args)
    view_id, external_id = args.text("view_id"), args.text("external_id")
    if not view_id and not external_id:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] view_id or external_id is required"]})
    current = sandbox.workspace.find_view(view_id, external_id)
    if current is None:
        raise ApiError("not_found")
    expected_hash = args.text("hash")
    if expected_hash and expected_hash != current.view["hash"]:
        raise ApiError("hash_conflict")
    return {"view": sandbox.workspace.show_view(current.user_id, view, push=False, replace=current).view}


def views_publish(sandbox: Sandbox, args: Args) -> dict[str, Any]:
    """The App Home tab of one person (needs no scope, no trigger_id)."""
    user_id = args.text("user_id")
    if not user_id:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: user_id"]})
    view = args.structured("view", "invalid_arguments")
    if view is None:
        raise ApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: view"]})
    try:
        view = with_view_ids(check_home_view(view))
    except BlockKitError as error:
        raise ApiError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {error}"]}) from None
    user = sandbox.workspace.users.get(user_id)
    if user is None or user.is_bot:
        raise ApiError("user_not_found")
    current = sandbox.workspace.home_views.get(user_id)
    expected_hash = args.text("hash")
    if expected_hash and current is not None and expected_hash != current["hash"]:
        raise ApiError("hash_conflict")
    return {"view": sandbox.workspace.publish_home(user_id, view)}


METHODS: dict[str, Callable[[Sandbox, Args], dict[str, Any]]] = {
    "auth.test": auth_test,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.delete": chat_delete,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.getPermalink": chat_get_permalink,
    "conversations.open": conversations_open,
    "conversations.info": conversations_info,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
    "usergroups.users.list": usergroups_users_list,
    "users.info": users_info,
    "users.lookupByEmail": users_lookup_by_email,
    "views.open": views_open,
    "views.push": views_push,
    "views.update": views_update,
    "views.publish": views_publish,
}
