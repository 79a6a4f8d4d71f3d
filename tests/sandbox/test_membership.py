"""The bot is a member only of the channels it was invited to, as on Slack."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from slack_sandbox.people import BOT_USER_ID
from slack_sandbox.testing import PROJECT_MANIFEST, run_sandbox


async def error_of(call) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response["error"]


async def test_by_default_the_bot_serves_approvals_and_escalations_only(client, slack):
    for channel in ("C0APPROVALS", "#senior-management", "U0ALICE"):
        assert (await client.chat_postMessage(channel=channel, text="hello"))["ok"]
    assert await error_of(client.chat_postMessage(channel="#general", text="hello")) == "not_in_channel"
    assert await error_of(client.conversations_history(channel="C0GENERAL")) == "not_in_channel"
    assert (await client.conversations_info(channel="C0GENERAL"))["channel"]["is_member"] is False
    assert slack.messages("C0GENERAL") == []


async def test_a_new_channel_is_closed_to_the_bot_until_it_is_invited_and_again_once_removed(client, slack):
    channel = slack.create_channel("travel")
    assert await error_of(client.chat_postMessage(channel=channel, text="one")) == "not_in_channel"
    slack.invite_bot("#travel")
    await client.chat_postMessage(channel=channel, text="two")
    assert [m["text"] for m in (await client.conversations_history(channel=channel))["messages"]] == ["two"]
    slack.remove_bot(channel)
    assert await error_of(client.chat_postMessage(channel=channel, text="three")) == "not_in_channel"
    assert await error_of(client.conversations_history(channel=channel)) == "not_in_channel"
    assert [m.text for m in slack.messages(channel)] == ["two"]


async def test_a_sandbox_may_start_with_the_bot_in_no_channel():
    async with run_sandbox(manifest=PROJECT_MANIFEST, bot_channels=()) as slack:
        client = AsyncWebClient(token=slack.sandbox.bot_token, base_url=slack.api_url)
        assert await error_of(client.chat_postMessage(channel="C0APPROVALS", text="hi")) == "not_in_channel"


async def test_slash_invite_and_remove_typed_in_a_channel(slack):
    channel = slack.create_channel("travel")  # no app is connected: these never reach one
    assert (await slack.slash_command("U0ALICE", "/invite @expense-approvals", channel=channel)).ok
    assert BOT_USER_ID in slack.workspace.channels[channel].members
    notice = slack.messages(channel, viewer="U0ALICE")[-1]
    assert notice.visible_to == "U0ALICE" and "added to #travel: Expense Approvals" in notice.text
    again = await slack.slash_command("U0ALICE", "/invite <@U0EXPBOT>", channel=channel)
    assert again.ok and "already in" in slack.messages(channel, viewer="U0ALICE")[-1].text
    await slack.slash_command("U0BOB", "/remove @expense-bot", channel=channel)
    assert BOT_USER_ID not in slack.workspace.channels[channel].members
    nobody = await slack.slash_command("U0BOB", "/invite @nobody", channel=channel)
    assert nobody.error == "user_not_found"
