"""The bodies Slack sends to an app: slash commands, block_actions, view_submission, view_closed, and
the Events API envelope of app_home_opened."""

from __future__ import annotations

import copy
import secrets
import time
from typing import Any

from .people import APP_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, Channel, User
from .workspace import Message, OpenView

LEGACY_TOKEN = "sandbox-verification-token"  # deprecated by Slack; apps must ignore it


def _team() -> dict[str, str]:
    return {"id": TEAM_ID, "domain": TEAM_DOMAIN}


def _user(user: User) -> dict[str, str]:
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": TEAM_ID}


def _channel_name(channel: Channel) -> str:
    return "directmessage" if channel.is_im else channel.name


def slash_command(user: User, channel: Channel, command: str, text: str,
                  response_url: str, trigger_id: str) -> dict[str, str]:
    return {
        "token": LEGACY_TOKEN,
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel.id,
        "channel_name": _channel_name(channel),
        "user_id": user.id,
        "user_name": user.name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def block_actions_in_message(user: User, channel: Channel, message: Message, action: dict[str, Any],
                             response_url: str, trigger_id: str) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": LEGACY_TOKEN,
        "container": {"type": "message", "message_ts": message.ts, "channel_id": channel.id,
                      "is_ephemeral": message.visible_to is not None},
        "trigger_id": trigger_id,
        "team": _team(),
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel.id, "name": _channel_name(channel)},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }
    if message.visible_to is None:  # ephemeral messages are not echoed back
        payload["message"] = message.to_slack()
    return payload


def block_actions_in_home(user: User, home: dict[str, Any], action: dict[str, Any], trigger_id: str) -> dict[str, Any]:
    """A click on the App Home tab: the view instead of a message, and no response_url."""
    return {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": LEGACY_TOKEN,
        "container": {"type": "view", "view_id": home["id"]},
        "trigger_id": trigger_id,
        "team": _team(),
        "enterprise": None,
        "is_enterprise_install": False,
        "view": copy.deepcopy(home),
        "actions": [action],
    }


def app_home_opened(user: User, home: dict[str, Any] | None, event_time: float) -> dict[str, Any]:
    """The Events API envelope for someone opening the app's Home tab."""
    event: dict[str, Any] = {"type": "app_home_opened", "user": user.id, "channel": "", "tab": "home",
                             "event_ts": f"{event_time:.6f}"}
    if home is not None:
        event["view"] = copy.deepcopy(home)
    return {
        "token": LEGACY_TOKEN, "team_id": TEAM_ID, "api_app_id": APP_ID, "type": "event_callback",
        "event_id": "Ev" + secrets.token_hex(5).upper(), "event_time": int(event_time), "event": event,
        "authorizations": [{"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True,
                            "is_enterprise_install": False}],
        "is_ext_shared_channel": False, "event_context": secrets.token_hex(8),
    }


def action_from_element(element: dict[str, Any], block_id: str) -> dict[str, Any]:
    """What a clicked button looks like in actions[]."""
    action: dict[str, Any] = {
        "type": element.get("type", "button"),
        "action_id": element.get("action_id"),
        "block_id": block_id,
        "text": copy.deepcopy(element.get("text")),
        "action_ts": f"{time.time():.6f}",
    }
    for key in ("value", "style", "url"):
        if key in element:
            action[key] = element[key]
    return action


def view_submission(user: User, open_view: OpenView, trigger_id: str) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": _team(),
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": LEGACY_TOKEN,
        "trigger_id": trigger_id,
        "view": copy.deepcopy(open_view.view),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_closed(user: User, open_view: OpenView, is_cleared: bool) -> dict[str, Any]:
    view = copy.deepcopy(open_view.view)
    view["state"] = {"values": {}}
    return {
        "type": "view_closed",
        "team": _team(),
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": LEGACY_TOKEN,
        "view": view,
        "is_cleared": is_cleared,
        "is_enterprise_install": False,
        "enterprise": None,
    }
