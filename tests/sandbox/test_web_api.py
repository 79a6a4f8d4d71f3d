"""The Web API as slack_sdk's AsyncWebClient sees it: answers, shapes and error codes."""

from __future__ import annotations

import json

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, HeaderBlock, SectionBlock
from slack_sdk.web.async_client import AsyncWebClient

pytestmark = pytest.mark.asyncio


async def error_of(call) -> dict:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response.data


async def test_auth_test_names_the_bot(client):
    response = await client.auth_test()
    assert response["ok"] and response["user_id"] == "U0EXPBOT" and response["bot_id"] == "B0EXPENSES"


async def test_missing_token_is_not_authed_and_wrong_token_is_invalid_auth(slack):
    async with aiohttp.ClientSession() as session, session.post(slack.api_url + "auth.test") as resp:
        assert (await resp.json()) == {"ok": False, "error": "not_authed"}
    wrong = AsyncWebClient(token="xoxb-not-the-sandbox-token", base_url=slack.api_url)
    assert (await error_of(wrong.auth_test()))["error"] == "invalid_auth"


async def test_token_may_come_as_a_form_field(slack):
    async with aiohttp.ClientSession() as session:
        form = {"token": slack.sandbox.bot_token, "channel": "C0APPROVALS", "text": "hello"}
        async with session.post(slack.api_url + "chat.postMessage", data=form) as resp:
            body = await resp.json()
    assert body["ok"] and body["channel"] == "C0APPROVALS"
    assert slack.messages("C0APPROVALS")[-1].text == "hello"


async def test_form_encoded_blocks_arrive_as_a_json_string(slack):
    blocks = [SectionBlock(text="*Form* post").to_dict()]
    async with aiohttp.ClientSession() as session, session.post(slack.api_url + "chat.postMessage",
                            headers={"Authorization": f"Bearer {slack.sandbox.bot_token}"},
                            data={"channel": "#expense-approvals", "blocks": json.dumps(blocks)}) as resp:
        body = await resp.json()
    assert body["ok"]
    assert slack.messages("C0APPROVALS")[-1].blocks[0]["text"]["text"] == "*Form* post"


async def test_unknown_method(client):
    assert (await error_of(client.api_call("chat.frobnicate")))["error"] == "unknown_method"


@pytest.mark.parametrize("channel", ["C0APPROVALS", "#expense-approvals", "expense-approvals"])
async def test_post_message_accepts_a_channel_id_or_name(client, slack, channel):
    response = await client.chat_postMessage(channel=channel, text="Request", blocks=[
        HeaderBlock(text="Expense request"),
        ActionsBlock(elements=[ButtonElement(text="Approve", action_id="approve_request", value="a-1", style="primary")]),
    ])
    assert response["channel"] == "C0APPROVALS"
    stored = slack.workspace.find("C0APPROVALS", response["ts"])
    assert stored.blocks[0]["text"]["text"] == "Expense request"
    assert response["message"]["bot_id"] == "B0EXPENSES"


async def test_post_message_to_a_user_id_lands_in_the_dm(client, slack):
    response = await client.chat_postMessage(channel="U0ALICE", text="Your request was approved")
    assert response["channel"] == "D0ALICE"
    assert slack.messages("D0ALICE", viewer="U0ALICE")[-1].text == "Your request was approved"


async def test_post_message_errors(client):
    assert (await error_of(client.chat_postMessage(channel="#nowhere", text="x")))["error"] == "channel_not_found"
    assert (await error_of(client.chat_postMessage(channel="C0APPROVALS")))["error"] == "no_text"
    assert (await error_of(client.chat_postMessage(channel="C0APPROVALS", text="x" * 40_001)))["error"] == "msg_too_long"


async def test_timestamps_are_unique_and_increasing(client):
    first = await client.chat_postMessage(channel="C0APPROVALS", text="one")
    second = await client.chat_postMessage(channel="C0APPROVALS", text="two")
    assert float(second["ts"]) > float(first["ts"])


@pytest.mark.parametrize("blocks, reason", [
    ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "3000"),
    ([{"type": "divider"}] * 51, "50"),
    ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "150"),
    ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}], "10"),
    ([{"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "A"},
                                        "action_id": "a", "style": "green"}]}], "style"),
    ([{"type": "actions", "elements": []}], "between 1 and 25"),
    ([{"type": "section", "text": "bare string"}], "text object"),
    ([{"type": "fancy_widget"}], "unsupported block type"),
    ([{"type": "divider", "block_id": "same"}, {"type": "divider", "block_id": "same"}], "duplicate block_id"),
])
async def test_blocks_breaking_block_kit_limits_are_invalid_blocks(client, blocks, reason):
    data = await error_of(client.chat_postMessage(channel="C0APPROVALS", text="x", blocks=blocks))
    assert data["error"] == "invalid_blocks"
    assert reason in data["errors"][0] and "json-pointer:/blocks" in data["errors"][0]


async def test_blocks_that_are_not_a_list_are_invalid_blocks_format(slack):
    async with aiohttp.ClientSession() as session, session.post(slack.api_url + "chat.postMessage",
                            data={"token": slack.sandbox.bot_token, "channel": "C0APPROVALS",
                                  "blocks": "{not json"}) as resp:
        assert (await resp.json())["error"] == "invalid_blocks_format"


async def test_update_replaces_text_and_blocks(client, slack):
    posted = await client.chat_postMessage(channel="#expense-approvals", text="pending",
                                           blocks=[SectionBlock(text="Pending").to_dict()])
    updated = await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="approved",
                                       blocks=[SectionBlock(text="Approved by Bob").to_dict()])
    assert updated["ts"] == posted["ts"] and updated["text"] == "approved"
    message = slack.workspace.find("C0APPROVALS", posted["ts"])
    assert message.blocks[0]["text"]["text"] == "Approved by Bob" and message.edited_ts


async def test_update_without_blocks_keeps_them_and_empty_blocks_clear_them(client, slack):
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="a", blocks=[SectionBlock(text="A").to_dict()])
    await client.chat_update(channel="C0APPROVALS", ts=posted["ts"], text="b")
    assert slack.workspace.find("C0APPROVALS", posted["ts"]).blocks
    await client.chat_update(channel="C0APPROVALS", ts=posted["ts"], text="c", blocks=[])
    assert slack.workspace.find("C0APPROVALS", posted["ts"]).blocks == []


async def test_update_errors(client, slack):
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="a")
    assert (await error_of(client.chat_update(channel="C0APPROVALS", ts="1.000001", text="x")))["error"] == "message_not_found"
    assert (await error_of(client.chat_update(channel="#expense-approvals", ts=posted["ts"], text="x")))["error"] == "channel_not_found"
    await slack.say("U0ALICE", "hi all")
    human = slack.messages("C0APPROVALS")[-1]
    assert (await error_of(client.chat_update(channel="C0APPROVALS", ts=human.ts, text="x")))["error"] == "cant_update_message"
    bad = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 200}}]
    assert (await error_of(client.chat_update(channel="C0APPROVALS", ts=posted["ts"], text="x", blocks=bad)))["error"] == "invalid_blocks"


async def test_ephemeral_is_seen_only_by_its_user(client, slack):
    response = await client.chat_postEphemeral(channel="C0APPROVALS", user="U0ALICE", text="You cannot approve your own request")
    assert response["message_ts"]
    assert [m.text for m in slack.messages("C0APPROVALS", viewer="U0ALICE")] == ["You cannot approve your own request"]
    assert slack.messages("C0APPROVALS", viewer="U0BOB") == []
    assert (await error_of(client.chat_update(channel="C0APPROVALS", ts=response["message_ts"], text="x")))["error"] == "message_not_found"
    assert (await error_of(client.chat_postEphemeral(channel="C0APPROVALS", user="U0NOBODY", text="x")))["error"] == "user_not_found"


async def test_permalink_points_into_the_sandbox(client, slack):
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="a")
    link = await client.chat_getPermalink(channel="C0APPROVALS", message_ts=posted["ts"])
    assert link["permalink"] == f"{slack.base_url}/archives/C0APPROVALS/p{posted['ts'].replace('.', '')}"
    async with aiohttp.ClientSession() as session, session.get(link["permalink"]) as resp:
        assert resp.status == 200 and "text/html" in resp.content_type
    assert (await error_of(client.chat_getPermalink(channel="C0APPROVALS", message_ts="9.9")))["error"] == "message_not_found"


async def test_conversations_open_gives_the_dm_channel(client):
    response = await client.conversations_open(users="U0BOB")
    assert response["channel"]["id"] == "D0BOB"
    assert (await error_of(client.conversations_open(users="U0NOBODY")))["error"] == "user_not_found"
    assert (await error_of(client.api_call("conversations.open")))["error"] == "users_list_not_supplied"


async def test_users_info_and_lookup_by_email(client):
    info = await client.users_info(user="U0BOB")
    assert info["user"]["real_name"] == "Bob Smith" and info["user"]["tz"] == "Europe/London"
    assert info["user"]["profile"]["email"] == "bob@company.com"
    found = await client.users_lookupByEmail(email="ALICE@company.com")
    assert found["user"]["id"] == "U0ALICE"
    assert (await error_of(client.users_lookupByEmail(email="nobody@company.com")))["error"] == "users_not_found"
    assert (await error_of(client.users_info(user="U0NOBODY")))["error"] == "user_not_found"


async def test_injected_rate_limit_answers_429_with_retry_after(client, slack):
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel="C0APPROVALS", text="x")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "7"
    assert (await client.chat_postMessage(channel="C0APPROVALS", text="x"))["ok"]
