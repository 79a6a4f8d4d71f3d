"""Thread replies as the bot posts and reads them: chat.postMessage with thread_ts, the thread by
conversations.replies (metadata when asked for), and the channel's history without the replies."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.models.metadata import Metadata

pytestmark = pytest.mark.asyncio

REMINDER = Metadata(event_type="expense_approval_reminder", event_payload={"approval_id": "approval-1", "key": "r1"})


async def test_a_reply_lives_in_its_thread_not_in_the_channel_history(client):
    parent = await client.chat_postMessage(channel="C0APPROVALS", text="Request")
    reply = await client.chat_postMessage(channel="C0APPROVALS", text="Reminder", thread_ts=parent["ts"],
                                          metadata=REMINDER)
    assert reply["message"]["thread_ts"] == parent["ts"]

    history = await client.conversations_history(channel="C0APPROVALS")
    assert [m["ts"] for m in history["messages"]] == [parent["ts"]]

    thread = await client.conversations_replies(channel="C0APPROVALS", ts=parent["ts"], include_all_metadata=True)
    assert [m["text"] for m in thread["messages"]] == ["Request", "Reminder"]
    assert thread["messages"][1]["metadata"]["event_payload"]["key"] == "r1"
    plain = await client.conversations_replies(channel="C0APPROVALS", ts=parent["ts"])
    assert "metadata" not in plain["messages"][1]


async def test_a_reply_to_no_message_is_refused(client):
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel="C0APPROVALS", text="Reminder", thread_ts="1.000001")
    assert caught.value.response["error"] == "thread_not_found"
