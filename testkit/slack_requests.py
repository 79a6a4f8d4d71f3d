"""Signed requests shaped like the ones Slack sends to our endpoints (slash commands, clicks,
modal submissions), signed with slack_sdk's SignatureVerifier at the current real time."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

TEAM = {"id": "T0FAKE", "domain": "fake"}
_counter = itertools.count(1)


def signed_headers(secret: str, body: str, *, timestamp: int | None = None,
                   content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body),
    }


def slash_command_body(
    text: str, *, user_id: str = "UREQ1", user_name: str = "alice", channel_id: str = "CWORK1",
    response_url: str = "http://127.0.0.1:9/commands/unused", command: str = "/expense",
) -> str:
    return urlencode({
        "token": "deprecated", "team_id": TEAM["id"], "team_domain": TEAM["domain"],
        "channel_id": channel_id, "channel_name": "general", "user_id": user_id, "user_name": user_name,
        "command": command, "text": text, "api_app_id": "A0FAKE", "is_enterprise_install": "false",
        "response_url": response_url, "trigger_id": f"{next(_counter)}.1.trigger",
    })


def interaction_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def _user(user_id: str, name: str) -> dict[str, str]:
    return {"id": user_id, "username": name, "name": name, "team_id": TEAM["id"]}


def button_click(
    action_id: str, value: str, *, user_id: str, user_name: str = "bob", channel: str = "CAPPROVE",
    message_ts: str = "1700000000.000001", response_url: str = "http://127.0.0.1:9/actions/unused",
    message_blocks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A block_actions payload for a click on a channel message."""
    n = next(_counter)
    return {
        "type": "block_actions", "team": TEAM, "enterprise": None, "is_enterprise_install": False,
        "user": _user(user_id, user_name), "api_app_id": "A0FAKE", "token": "deprecated",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
        "trigger_id": f"{n}.2.trigger", "channel": {"id": channel, "name": "approvals"},
        "message": {"type": "message", "ts": message_ts, "bot_id": "BBOT", "text": "", "blocks": message_blocks or []},
        "state": {"values": {}}, "response_url": response_url,
        "actions": [{
            "type": "button", "action_id": action_id, "block_id": "decision_buttons", "value": value,
            "text": {"type": "plain_text", "text": action_id}, "action_ts": f"{1700000000 + n}.000100",
        }],
    }


def app_home_opened(user_id: str, *, tab: str = "home") -> str:
    """The Events API's JSON body for someone opening the app's Home (or Messages) tab."""
    n = next(_counter)
    return json.dumps({
        "token": "deprecated", "team_id": TEAM["id"], "api_app_id": "A0FAKE", "type": "event_callback",
        "event_id": f"Ev{n:08d}", "event_time": int(time.time()), "authorizations": [],
        "event": {"type": "app_home_opened", "user": user_id, "channel": f"D{user_id}", "tab": tab,
                  "event_ts": f"{int(time.time())}.{n:06d}"},
    })


def home_click(action_id: str, value: str, *, user_id: str, user_name: str = "bob") -> dict[str, Any]:
    """A block_actions payload for a click on the App Home tab: no response_url, the view instead."""
    n = next(_counter)
    return {
        "type": "block_actions", "team": TEAM, "enterprise": None, "is_enterprise_install": False,
        "user": _user(user_id, user_name), "api_app_id": "A0FAKE", "token": "deprecated",
        "container": {"type": "view", "view_id": f"VHOME{user_id}"}, "trigger_id": f"{n}.4.trigger",
        "view": {"id": f"VHOME{user_id}", "team_id": TEAM["id"], "type": "home", "blocks": [],
                 "private_metadata": "", "callback_id": "", "state": {"values": {}}, "hash": f"{n}.hash",
                 "app_id": "A0FAKE", "bot_id": "BBOT"},
        "actions": [{
            "type": "button", "action_id": action_id, "block_id": "decide_0", "value": value,
            "text": {"type": "plain_text", "text": action_id}, "action_ts": f"{1700000000 + n}.000100",
        }],
    }


def view_submission(
    callback_id: str, values: dict[str, dict[str, Any]], *, user_id: str, user_name: str = "bob",
    private_metadata: str = "",
) -> dict[str, Any]:
    """A view_submission payload; ``values`` maps block_id -> the "value" action's state."""
    n = next(_counter)
    return {
        "type": "view_submission", "team": TEAM, "user": _user(user_id, user_name), "api_app_id": "A0FAKE",
        "token": "deprecated", "trigger_id": f"{n}.3.trigger", "is_enterprise_install": False, "enterprise": None,
        "view": {
            "id": f"V{n:08d}", "team_id": TEAM["id"], "type": "modal", "callback_id": callback_id,
            "private_metadata": private_metadata, "hash": f"{n}.hash", "title": {"type": "plain_text", "text": "x"},
            "blocks": [], "state": {"values": {block: {"value": state} for block, state in values.items()}},
            "root_view_id": f"V{n:08d}", "previous_view_id": None, "app_id": "A0FAKE", "bot_id": "BBOT",
        },
        "response_urls": [],
    }


def text_value(text: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": text}


def selected(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}}}
