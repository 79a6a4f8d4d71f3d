"""The bot token holds exactly the manifest's bot scopes; a method outside them is missing_scope."""

from __future__ import annotations

import json
import os
from pathlib import Path

import aiohttp
import pytest
import yaml
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from slack_sandbox.scopes import REQUIRED
from slack_sandbox.testing import PROJECT_MANIFEST, run_sandbox

# shared/ lies beside the repository's checkout (as CI lays it); SLACK_WEB_OPENAPI points elsewhere.
SHARED = Path(__file__).resolve().parents[3] / "shared"
OPENAPI = Path(os.environ.get("SLACK_WEB_OPENAPI", SHARED / "data" / "slack" / "slack_web_openapi_v2.json"))
# Scope names the OpenAPI description still spells the old way, and their bot-token names today.
RENAMED = {"chat:write:bot": "chat:write", "chat:write:user": "chat:write"}


def project_bot_scopes() -> list[str]:
    return yaml.safe_load(PROJECT_MANIFEST.read_text())["oauth_config"]["scopes"]["bot"]


async def test_the_bot_holds_exactly_the_manifests_scopes():
    async with run_sandbox(manifest=PROJECT_MANIFEST) as slack:
        client = AsyncWebClient(token=slack.sandbox.bot_token, base_url=slack.api_url)
        answer = await client.auth_test()
        assert answer.headers["x-oauth-scopes"] == ",".join(project_bot_scopes())
        with pytest.raises(SlackApiError) as refused:
            await client.conversations_info(channel="C0APPROVALS")  # channels:read is not in manifest.yml
    assert refused.value.response.status_code == 200
    assert refused.value.response.data == {"ok": False, "error": "missing_scope", "needed": "channels:read",
                                           "provided": ",".join(project_bot_scopes())}


async def test_a_conversation_method_names_the_scope_for_that_kind_of_conversation(tmp_path: Path):
    manifest = tmp_path / "manifest.yml"
    manifest.write_text("oauth_config:\n  scopes:\n    bot: [chat:write, channels:history]\n")
    async with run_sandbox(manifest=manifest) as slack:
        client = AsyncWebClient(token=slack.sandbox.bot_token, base_url=slack.api_url)
        history = await client.conversations_history(channel="C0APPROVALS")  # channels:history: granted
        assert history["ok"] is True
        with pytest.raises(SlackApiError) as refused:
            await client.conversations_history(channel="D0ALICE")
    assert refused.value.response["needed"] == "im:history"


async def test_a_narrow_grant_refuses_everything_else_and_changes_nothing(tmp_path: Path):
    manifest = tmp_path / "manifest.yml"
    manifest.write_text("oauth_config:\n  scopes:\n    bot: [users:read]\n")
    async with run_sandbox(manifest=manifest) as slack:
        client = AsyncWebClient(token=slack.sandbox.bot_token, base_url=slack.api_url)
        assert (await client.users_info(user="U0ALICE"))["user"]["name"] == "alice"
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel="C0APPROVALS", text="hello")
        assert refused.value.response.data == {"ok": False, "error": "missing_scope", "needed": "chat:write",
                                               "provided": "users:read"}
        assert slack.messages("C0APPROVALS") == []
        with pytest.raises(SlackApiError) as refused:
            await client.conversations_open(users="U0ALICE")
        assert refused.value.response["needed"] == "im:write"
        async with aiohttp.ClientSession() as session:  # the header Slack sends with each answer
            async with session.post(f"{slack.api_url}chat.postMessage",
                                    headers={"Authorization": f"Bearer {slack.sandbox.bot_token}"}) as raw:
                assert raw.headers["x-accepted-oauth-scopes"] == "chat:write"


def test_the_scope_table_agrees_with_slacks_openapi_description():
    if not OPENAPI.exists():
        pytest.skip(f"Slack's OpenAPI description is not at {OPENAPI} (set SLACK_WEB_OPENAPI)")
    paths = json.loads(OPENAPI.read_text())["paths"]
    for method, ours in REQUIRED.items():
        operation = next(iter(paths[f"/{method}"].values()))
        theirs = {RENAMED.get(s, s) for entry in operation["security"] for s in entry["slackAuth"]} - {"none"}
        expected = set() if ours is None else set(ours.values()) if isinstance(ours, dict) else {ours}
        assert theirs == expected, method
