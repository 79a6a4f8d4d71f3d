"""What a person does in the workspace, and how Slack turns it into requests to the app.

Used by the web UI and by tests alike, so both exercise the same path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import payloads, typed_text
from .app_link import AppReply, DeliveryError
from .blockkit import BlockKitError, check_blocks, check_view, with_block_ids, with_view_ids
from .people import BOT_USER_ID, SLACKBOT_ID, Channel, User
from .sandbox import Sandbox
from .view_state import ViewInputError, state_values
from .workspace import Message, OpenView


class ActionError(ValueError):
    """The person asked for something impossible (unknown channel, message, button...)."""


@dataclass(frozen=True)
class Outcome:
    """What happened, for the caller (UI or test): ok, or Slack's error code shown to the user."""

    ok: bool
    error: str | None = None
    detail: str = ""
    reply: AppReply | None = None

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "error": self.error, "detail": self.detail}


def _person(sandbox: Sandbox, user_id: str) -> User:
    user = sandbox.workspace.users.get(user_id)
    if user is None or user.is_bot:
        raise ActionError(f"no such person: {user_id}")
    return user


def _tell(sandbox: Sandbox, user_id: str, channel_id: str, text: str) -> None:
    """Slackbot's "only visible to you" notice, as Slack shows failures."""
    sandbox.workspace.post(channel_id, SLACKBOT_ID, text, visible_to=user_id)


async def send_message(sandbox: Sandbox, user_id: str, channel_id: str, text: str) -> Outcome:
    """A plain message, or a slash command when the text starts with "/"."""
    if text.lstrip().startswith("/"):
        return await run_command(sandbox, user_id, channel_id, text)
    _person(sandbox, user_id)
    channel = _channel_of(sandbox, user_id, channel_id)
    if not text.strip():
        raise ActionError("empty message")
    sandbox.workspace.post(channel.id, user_id, typed_text.escape(text))
    return Outcome(True)


def _channel_of(sandbox: Sandbox, user_id: str, channel_id: str) -> Channel:
    channel = sandbox.workspace.channels.get(channel_id)
    if channel is None or user_id not in channel.members:
        raise ActionError(f"no such channel for {user_id}: {channel_id}")
    return channel


async def run_command(sandbox: Sandbox, user_id: str, channel_id: str, line: str) -> Outcome:
    """Send "/cmd text" to the app's command URL and show its ack like Slack does."""
    user = _person(sandbox, user_id)
    channel = _channel_of(sandbox, user_id, channel_id)
    command, _, text = line.strip().partition(" ")
    text = text.strip()
    path = sandbox.endpoints.commands.get(command)
    if path is None and command in BUILT_IN:
        return BUILT_IN[command](sandbox, user_id, channel, text)
    if path is None:
        _tell(sandbox, user_id, channel.id, f"`{command}` is not a valid command. In Slack, all messages "
              "that start with the \"/\" character are interpreted as commands.")
        return Outcome(False, "unknown_command")
    grant = sandbox.grants.issue_response_url("commands", user_id, channel.id)
    trigger_id = sandbox.grants.issue_trigger(user_id)
    sent = typed_text.command_text(sandbox.workspace, text,
                                   should_escape=sandbox.endpoints.command_escapes.get(command, False))
    form = payloads.slash_command(user, channel, command, sent, sandbox.response_url(grant), trigger_id)
    try:
        reply = await sandbox.link.send_form(path, form)
    except DeliveryError as error:
        _tell(sandbox, user_id, channel.id, f'{command} failed with the error "{error.code}"')
        return Outcome(False, error.code, error.detail)
    if reply.status != 200:
        _tell(sandbox, user_id, channel.id, f'{command} failed with the error "http_error"')
        return Outcome(False, "http_error", f"HTTP {reply.status}: {reply.body[:200]}", reply)
    body = reply.json()
    if body is None:
        if reply.body.strip():
            grant.posted.append(sandbox.workspace.post(channel.id, BOT_USER_ID, reply.body, visible_to=user_id))
        return Outcome(True, reply=reply)
    if not isinstance(body, dict):
        _tell(sandbox, user_id, channel.id, f'{command} failed with the error "invalid_payload"')
        return Outcome(False, "invalid_payload", reply=reply)
    in_channel = body.get("response_type") == "in_channel"
    if in_channel:
        sandbox.workspace.post(channel.id, user_id, line.strip(), command=line.strip())
    if body.get("text") or body.get("blocks"):
        try:
            blocks = with_block_ids(check_blocks(body["blocks"])) if body.get("blocks") else None
        except BlockKitError as error:
            _tell(sandbox, user_id, channel.id, f'{command} failed with the error "invalid_blocks"')
            return Outcome(False, "invalid_blocks", str(error), reply)
        message = sandbox.workspace.post(channel.id, BOT_USER_ID, str(body.get("text") or ""), blocks,
                                         visible_to=None if in_channel else user_id)
        grant.posted.append(message)
    return Outcome(True, reply=reply)


def _mentioned(sandbox: Sandbox, text: str) -> list[User]:
    """People named as @handle, @display-name or <@U…> (a bot also by its app name)."""
    found: list[User] = []
    for word in text.split():
        ref = word.strip(",").removeprefix("<").removesuffix(">").removeprefix("@").split("|")[0].lower()
        for user in sandbox.workspace.users.values():
            names = {user.id.lower(), user.name.lower(), user.real_name.lower().replace(" ", "-")}
            if ref in names and user not in found:
                found.append(user)
    return found


def _membership(sandbox: Sandbox, user_id: str, channel: Channel, text: str, *, invite: bool) -> Outcome:
    """Slack's built-in /invite and /remove, for people and the bot alike."""
    people = _mentioned(sandbox, text)
    if channel.is_im or not people:
        _tell(sandbox, user_id, channel.id, f"Name someone to {'invite' if invite else 'remove'}: "
              f"{'/invite' if invite else '/remove'} @{sandbox.workspace.users[BOT_USER_ID].name}")
        return Outcome(False, "user_not_found")
    for person in people:
        changed = (sandbox.workspace.invite if invite else sandbox.workspace.remove)(channel, person.id)
        if not changed:
            state = "already in" if invite else "not in"
            _tell(sandbox, user_id, channel.id, f"{person.real_name} is {state} #{channel.name}.")
            continue
        done = "added to" if invite else "removed from"
        _tell(sandbox, user_id, channel.id, f"You {done} #{channel.name}: {person.real_name}.")
    return Outcome(True)


BUILT_IN = {
    "/invite": lambda sandbox, user_id, channel, text: _membership(sandbox, user_id, channel, text, invite=True),
    "/remove": lambda sandbox, user_id, channel, text: _membership(sandbox, user_id, channel, text, invite=False),
}


async def click_button(sandbox: Sandbox, user_id: str, channel_id: str, ts: str, action_id: str,
                       block_id: str | None = None) -> Outcome:
    """Click a button in a message: a block_actions payload to the interactivity URL."""
    user = _person(sandbox, user_id)
    channel = _channel_of(sandbox, user_id, channel_id)
    message = sandbox.workspace.find(channel.id, ts)
    if message is None or not message.visible_for(user_id):
        raise ActionError(f"no such message: {channel_id} {ts}")
    block, element = _find_button(message, action_id, block_id)
    if sandbox.endpoints.interactivity_path is None:
        _tell(sandbox, user_id, channel.id, "This app has no interactivity request URL.")
        return Outcome(False, "no_interactivity")
    grant = sandbox.grants.issue_response_url("actions", user_id, channel.id, original=message)
    trigger_id = sandbox.grants.issue_trigger(user_id)
    action = payloads.action_from_element(element, block["block_id"])
    body = payloads.block_actions_in_message(user, channel, message, action, sandbox.response_url(grant), trigger_id)
    try:
        reply = await sandbox.link.send_payload(sandbox.endpoints.interactivity_path, body)
    except DeliveryError as error:
        _tell(sandbox, user_id, channel.id, f"The app did not respond to your click ({error.code}).")
        return Outcome(False, error.code, error.detail)
    if reply.status != 200:
        _tell(sandbox, user_id, channel.id, f"The app did not respond to your click (HTTP {reply.status}).")
        return Outcome(False, "http_error", f"HTTP {reply.status}: {reply.body[:200]}", reply)
    return Outcome(True, reply=reply)


async def open_home(sandbox: Sandbox, user_id: str) -> Outcome:
    """Open the app's Home tab: Slack sends app_home_opened when the app subscribed to it."""
    user = _person(sandbox, user_id)
    endpoints = sandbox.endpoints
    if not endpoints.home_tab:
        return Outcome(False, "home_tab_disabled", "the manifest does not enable the Home tab")
    if endpoints.events_path is None or "app_home_opened" not in endpoints.bot_events:
        return Outcome(True)  # the tab shows whatever was published; the app is not told
    envelope = payloads.app_home_opened(user, sandbox.workspace.home_views.get(user_id), sandbox.clock.now())
    try:
        reply = await sandbox.link.send_event(endpoints.events_path, envelope)
    except DeliveryError as error:
        return Outcome(False, error.code, error.detail)
    if reply.status != 200:
        return Outcome(False, "http_error", f"HTTP {reply.status}: {reply.body[:200]}", reply)
    return Outcome(True, reply=reply)


async def click_home_button(sandbox: Sandbox, user_id: str, action_id: str, block_id: str | None = None) -> Outcome:
    """Click a button on one's Home tab: block_actions with the view, and no response_url."""
    user = _person(sandbox, user_id)
    home = sandbox.workspace.home_views.get(user_id)
    if home is None:
        raise ActionError("the app has published no Home tab for this person")
    block, element = _find_button_in(home.get("blocks") or [], action_id, block_id, "the Home tab")
    action = payloads.action_from_element(element, block["block_id"])
    body = payloads.block_actions_in_home(user, home, action, sandbox.grants.issue_trigger(user_id))
    try:
        reply = await sandbox.link.send_payload(_interactivity(sandbox), body)
    except DeliveryError as error:
        return Outcome(False, error.code, error.detail)
    if reply.status != 200:
        return Outcome(False, "http_error", f"HTTP {reply.status}: {reply.body[:200]}", reply)
    return Outcome(True, reply=reply)


def _find_button(message: Message, action_id: str, block_id: str | None) -> tuple[dict, dict]:
    return _find_button_in(message.blocks, action_id, block_id, f"message {message.ts}")


def _find_button_in(blocks: list[dict], action_id: str, block_id: str | None, where: str) -> tuple[dict, dict]:
    for block in blocks:
        if block_id is not None and block.get("block_id") != block_id:
            continue
        elements = block.get("elements") if block.get("type") == "actions" else (
            [block["accessory"]] if isinstance(block.get("accessory"), dict) else [])
        for element in elements or []:
            if element.get("type") == "button" and element.get("action_id") == action_id:
                return block, element
    raise ActionError(f"no button {action_id!r} in {where}")


async def submit_view(sandbox: Sandbox, user_id: str, view_id: str, inputs: dict[str, Any]) -> Outcome:
    """Submit a modal. inputs: {block_id: value} (text, number as text, or a selected option value)."""
    user = _person(sandbox, user_id)
    open_view = _open_view(sandbox, user_id, view_id)
    try:
        open_view.view["state"] = {"values": state_values(open_view.view, inputs)}
    except ViewInputError as error:  # the client-side checks Slack makes before sending anything
        sandbox.workspace.set_view_errors(open_view, error.errors)
        return Outcome(False, "invalid_input", "; ".join(error.errors.values()))
    body = payloads.view_submission(user, open_view, sandbox.grants.issue_trigger(user_id))
    try:
        reply = await sandbox.link.send_payload(_interactivity(sandbox), body)
    except DeliveryError as error:
        sandbox.workspace.set_view_errors(open_view, {"": "We had some trouble connecting. Try again?"})
        return Outcome(False, error.code, error.detail)
    if reply.status != 200:
        sandbox.workspace.set_view_errors(open_view, {"": "We had some trouble connecting. Try again?"})
        return Outcome(False, "http_error", f"HTTP {reply.status}: {reply.body[:200]}", reply)
    return _apply_view_response(sandbox, open_view, reply)


def _apply_view_response(sandbox: Sandbox, open_view: OpenView, reply: AppReply) -> Outcome:
    workspace = sandbox.workspace
    body = reply.json() if reply.body.strip() else {}
    if not isinstance(body, dict):
        workspace.set_view_errors(open_view, {"": "We had some trouble connecting. Try again?"})
        return Outcome(False, "invalid_response", reply=reply)
    action = body.get("response_action")
    if action is None:
        workspace.close_view(open_view)
    elif action == "clear":
        workspace.close_view(open_view, all_views=True)
    elif action == "errors" and isinstance(body.get("errors"), dict):
        workspace.set_view_errors(open_view, {str(k): str(v) for k, v in body["errors"].items()})
        return Outcome(False, "validation_errors", reply=reply)
    elif action in ("update", "push"):
        try:
            view = with_view_ids(check_view(body.get("view")))
        except BlockKitError as error:
            workspace.set_view_errors(open_view, {"": f"The app sent an invalid view: {error}"})
            return Outcome(False, "invalid_view", str(error), reply)
        if action == "update":
            workspace.show_view(open_view.user_id, view, push=False, replace=open_view)
        else:
            workspace.show_view(open_view.user_id, view, push=True)
    else:
        workspace.set_view_errors(open_view, {"": "We had some trouble connecting. Try again?"})
        return Outcome(False, "invalid_response_action", reply=reply)
    return Outcome(True, reply=reply)


async def close_view(sandbox: Sandbox, user_id: str, view_id: str) -> Outcome:
    """Cancel / close a modal; tells the app (view_closed) when it asked with notify_on_close."""
    user = _person(sandbox, user_id)
    open_view = _open_view(sandbox, user_id, view_id)
    clear = bool(open_view.view.get("clear_on_close"))
    sandbox.workspace.close_view(open_view, all_views=clear)
    if not open_view.view.get("notify_on_close"):
        return Outcome(True)
    try:
        reply = await sandbox.link.send_payload(_interactivity(sandbox), payloads.view_closed(user, open_view, clear))
    except DeliveryError as error:
        return Outcome(False, error.code, error.detail)
    return Outcome(reply.status == 200, None if reply.status == 200 else "http_error", reply=reply)


def _open_view(sandbox: Sandbox, user_id: str, view_id: str) -> OpenView:
    open_view = next((v for v in sandbox.workspace.views_of(user_id) if v.id == view_id), None)
    if open_view is None:
        raise ActionError(f"no open view {view_id} for {user_id}")
    return open_view


def _interactivity(sandbox: Sandbox) -> str:
    if sandbox.endpoints.interactivity_path is None:
        raise ActionError("this app has no interactivity request URL")
    return sandbox.endpoints.interactivity_path


__all__ = ["ActionError", "Outcome", "send_message", "run_command", "click_button", "submit_view",
           "close_view", "open_home", "click_home_button"]
