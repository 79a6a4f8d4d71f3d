"""manifest.yml creates exactly the app the code expects: its command, its URLs, and only the
scopes that the Web API methods called in bot/ need."""

import re
from pathlib import Path

import yaml

from bot.slack.listeners.expense_command import COMMAND

ROOT = Path(__file__).resolve().parents[3]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())

# Web API method (slack_sdk's name) -> bot scopes it needs (Slack's method reference)
SCOPES_BY_METHOD = {
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_getPermalink": set(),
    "conversations_open": {"im:write"},
    "conversations_history": {"channels:history", "groups:history", "im:history"},  # channels and notice DMs
    "conversations_replies": {"channels:history", "groups:history"},  # a request's thread (policy notes)
    "usergroups_users_list": {"usergroups:read"},  # a policy naming a Slack user group as approvers
    "users_lookupByEmail": {"users:read", "users:read.email"},
    "users_info": {"users:read"},  # a click on a request whose requester has no Slack account
    "views_open": set(),
    "views_publish": set(),  # the App Home tab
}


def _methods_called_in_bot() -> set[str]:
    pattern = re.compile(r"\.((?:chat|conversations|users|usergroups|views|reactions|files|team|auth)_\w+)\(")
    return {m for path in (ROOT / "bot").rglob("*.py") for m in pattern.findall(path.read_text())}


def test_the_command_and_interactivity_urls_point_at_our_two_endpoints() -> None:
    (command,) = MANIFEST["features"]["slash_commands"]
    assert command["command"] == COMMAND and len(command["command"]) <= 32
    assert command["url"].endswith("/api/slack/commands") and command["url"].startswith("https://")
    interactivity = MANIFEST["settings"]["interactivity"]
    assert interactivity["is_enabled"] is True
    assert interactivity["request_url"].endswith("/api/slack/interactions")


def test_only_the_scopes_the_code_uses_are_requested() -> None:
    called = _methods_called_in_bot()
    unknown = called - set(SCOPES_BY_METHOD)
    assert not unknown, f"add the scopes of {sorted(unknown)} to SCOPES_BY_METHOD and manifest.yml"
    needed = {"commands"} | set().union(*(SCOPES_BY_METHOD[m] for m in called))
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == needed


def test_it_is_an_http_mode_single_workspace_app() -> None:
    settings = MANIFEST["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    events = settings["event_subscriptions"]
    assert events["request_url"].startswith("https://") and events["request_url"].endswith("/api/slack/events")
    assert events["bot_events"] == ["app_home_opened"]
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    bot_user = MANIFEST["features"]["bot_user"]
    assert re.fullmatch(r"[a-z0-9._-]{1,80}", bot_user["display_name"])
    assert len(MANIFEST["display_information"]["name"]) <= 35
    assert len(MANIFEST["display_information"]["description"]) <= 140
