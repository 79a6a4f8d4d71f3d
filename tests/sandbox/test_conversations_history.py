"""conversations.history as the bot reads it: newest first, a time window, pages and a cursor,
metadata only when asked for, and Slack's errors."""

from __future__ import annotations

import base64

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.metadata import Metadata

from slack_sandbox.people import BOT_USER_ID

pytestmark = pytest.mark.asyncio

REQUEST = Metadata(event_type="expense_approval_request", event_payload={"approval_id": "approval-1"})


async def error_of(call) -> dict:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response.data


async def post_several(client, clock, count: int, channel: str = "C0APPROVALS") -> list[str]:
    """Post `count` messages one second apart; their ts, oldest first."""
    stamps = []
    for n in range(count):
        clock.advance(1)
        stamps.append((await client.chat_postMessage(channel=channel, text=f"message {n}"))["ts"])
    return stamps


async def test_history_is_newest_first_in_slacks_message_shape(client, slack):
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="Request",
                                           blocks=[SectionBlock(text="*Request*").to_dict()])
    await slack.say("U0ALICE", "looks good")
    history = await client.conversations_history(channel="C0APPROVALS")
    human, bot = history["messages"]
    assert human["type"] == "message" and human["user"] == "U0ALICE" and human["text"] == "looks good"
    assert "bot_id" not in human
    assert bot["ts"] == posted["ts"] and bot["type"] == "message" and bot["text"] == "Request"
    assert bot["user"] == BOT_USER_ID and bot["bot_id"] == "B0EXPENSES" and bot["app_id"] == "A0EXPENSES"
    assert bot["blocks"][0]["text"]["text"] == "*Request*"
    assert history["has_more"] is False and "response_metadata" not in history


async def test_metadata_comes_only_with_include_all_metadata(client):
    await client.chat_postMessage(channel="C0APPROVALS", text="Request", metadata=REQUEST)
    await client.chat_postMessage(channel="C0APPROVALS", text="plain")
    plain, tagged = (await client.conversations_history(channel="C0APPROVALS", include_all_metadata=True))["messages"]
    assert tagged["metadata"] == REQUEST.to_dict() and "metadata" not in plain
    without = (await client.conversations_history(channel="C0APPROVALS"))["messages"]
    assert all("metadata" not in m for m in without)
    json_false = await client.api_call("conversations.history", json={"channel": "C0APPROVALS",
                                                                      "include_all_metadata": False})
    assert all("metadata" not in m for m in json_false["messages"])


async def test_metadata_survives_an_update_in_history(client):
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="pending", metadata=REQUEST)
    await client.chat_update(channel="C0APPROVALS", ts=posted["ts"], text="approved")
    [message] = (await client.conversations_history(channel="C0APPROVALS", include_all_metadata=True))["messages"]
    assert message["text"] == "approved" and message["metadata"] == REQUEST.to_dict() and message["edited"]


async def test_ephemeral_messages_are_never_in_history(client, slack):
    await client.chat_postEphemeral(channel="C0APPROVALS", user="U0ALICE", text="only for Alice")
    await client.chat_postMessage(channel="C0APPROVALS", text="for everyone")
    history = await client.conversations_history(channel="C0APPROVALS")
    assert [m["text"] for m in history["messages"]] == ["for everyone"]


async def test_deleted_messages_leave_history(client):
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="gone soon")
    await client.chat_delete(channel="C0APPROVALS", ts=posted["ts"])
    assert (await client.conversations_history(channel="C0APPROVALS"))["messages"] == []


async def test_oldest_and_latest_are_exclusive_unless_inclusive(client, clock):
    ts = await post_several(client, clock, 5)

    async def window(**kwargs) -> list[str]:
        return [m["ts"] for m in (await client.conversations_history(channel="C0APPROVALS", **kwargs))["messages"]]

    assert await window(oldest=ts[1]) == [ts[4], ts[3], ts[2]]
    assert await window(latest=ts[3]) == [ts[2], ts[1], ts[0]]
    assert await window(oldest=ts[1], latest=ts[3]) == [ts[2]]
    assert await window(oldest=ts[1], latest=ts[3], inclusive=True) == [ts[3], ts[2], ts[1]]
    assert await window(oldest=ts[1], inclusive=False) == [ts[4], ts[3], ts[2]]
    assert await window(oldest=f"{float(ts[1]) - 0.5:.6f}") == [ts[4], ts[3], ts[2], ts[1]]
    assert await window(oldest=ts[1].split(".")[0]) == [ts[4], ts[3], ts[2], ts[1]]  # whole seconds work too
    assert await window(oldest="0") == list(reversed(ts))
    assert await window(oldest=ts[4]) == []


async def test_pages_follow_the_cursor_until_has_more_is_false(client, clock):
    ts = await post_several(client, clock, 5)
    seen, cursor, pages = [], None, []
    while True:
        page = await client.conversations_history(channel="C0APPROVALS", limit=2, cursor=cursor)
        pages.append(len(page["messages"]))
        seen += [m["ts"] for m in page["messages"]]
        if not page["has_more"]:
            assert "response_metadata" not in page
            break
        cursor = page["response_metadata"]["next_cursor"]
        assert cursor
    assert pages == [2, 2, 1]
    assert seen == list(reversed(ts))


async def test_the_cursor_keeps_the_window(client, clock):
    ts = await post_several(client, clock, 6)
    first = await client.conversations_history(channel="C0APPROVALS", oldest=ts[1], limit=2)
    assert [m["ts"] for m in first["messages"]] == [ts[5], ts[4]] and first["has_more"]
    second = await client.conversations_history(channel="C0APPROVALS", oldest=ts[1], limit=2,
                                                cursor=first["response_metadata"]["next_cursor"])
    assert [m["ts"] for m in second["messages"]] == [ts[3], ts[2]] and not second["has_more"]


async def test_a_message_posted_between_pages_does_not_shift_them(client, clock):
    ts = await post_several(client, clock, 4)
    first = await client.conversations_history(channel="C0APPROVALS", limit=2)
    await post_several(client, clock, 1)
    second = await client.conversations_history(channel="C0APPROVALS", limit=2,
                                                cursor=first["response_metadata"]["next_cursor"])
    assert [m["ts"] for m in second["messages"]] == [ts[1], ts[0]]


async def test_limit_defaults_to_100_and_stops_at_999(client, slack):
    for n in range(1000):
        slack.workspace.post("C0SENIORMGMT", BOT_USER_ID, f"message {n}")
    default = await client.conversations_history(channel="C0SENIORMGMT")
    assert len(default["messages"]) == 100 and default["has_more"]
    most = await client.conversations_history(channel="C0SENIORMGMT", limit=5000)
    assert len(most["messages"]) == 999 and most["has_more"]
    rest = await client.conversations_history(channel="C0SENIORMGMT", limit=5000,
                                              cursor=most["response_metadata"]["next_cursor"])
    assert [m["text"] for m in rest["messages"]] == ["message 0"] and not rest["has_more"]


@pytest.mark.parametrize("channel", ["C0APPROVALS", "C0SENIORMGMT", "D0ALICE"])
async def test_the_bot_reads_every_conversation_it_is_in(client, channel):
    await client.chat_postMessage(channel=channel, text="hello")
    assert [m["text"] for m in (await client.conversations_history(channel=channel))["messages"]] == ["hello"]


async def test_a_conversation_the_bot_is_not_in_is_not_in_channel(client, slack):
    assert (await error_of(client.conversations_history(channel="C0GENERAL")))["error"] == "not_in_channel"


@pytest.mark.parametrize("channel", ["C0NOWHERE", "#expense-approvals", "expense-approvals", ""])
async def test_unknown_channel_or_a_name_is_channel_not_found(client, channel):
    assert (await error_of(client.conversations_history(channel=channel)))["error"] == "channel_not_found"


async def test_channel_is_required(client):
    assert (await error_of(client.api_call("conversations.history", http_verb="GET")))["error"] == "channel_not_found"


@pytest.mark.parametrize("cursor", [
    "not a cursor!",
    base64.b64encode(b"page:2").decode(),
    base64.b64encode(b"next_ts:soon").decode(),
])
async def test_a_cursor_the_sandbox_did_not_give_is_invalid_cursor(client, cursor):
    assert (await error_of(client.conversations_history(channel="C0APPROVALS", cursor=cursor)))["error"] == "invalid_cursor"


@pytest.mark.parametrize("argument, value, error", [
    ("oldest", "yesterday", "invalid_ts_oldest"),
    ("oldest", "-5", "invalid_ts_oldest"),
    ("oldest", "NaN", "invalid_ts_oldest"),
    ("latest", "1700000000.0001x", "invalid_ts_latest"),
    ("latest", "Infinity", "invalid_ts_latest"),
    ("latest", "1e9", "invalid_ts_latest"),
    ("limit", "many", "invalid_arguments"),
    ("limit", "-1", "invalid_arguments"),
])
async def test_bad_window_or_limit_is_refused(client, argument, value, error):
    data = await error_of(client.api_call("conversations.history", http_verb="GET",
                                          params={"channel": "C0APPROVALS", argument: value}))
    assert data["error"] == error


async def test_history_answers_a_json_post_too(client):
    await client.chat_postMessage(channel="C0APPROVALS", text="Request", metadata=REQUEST)
    body = await client.api_call("conversations.history", json={"channel": "C0APPROVALS", "limit": 1,
                                                                "include_all_metadata": True})
    assert body["messages"][0]["metadata"]["event_payload"] == {"approval_id": "approval-1"}
