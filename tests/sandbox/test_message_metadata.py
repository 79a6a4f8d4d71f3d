"""Message metadata on chat.postMessage and chat.update: stored, kept, refused as Slack refuses it."""

from __future__ import annotations

import json

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.models.metadata import Metadata

pytestmark = pytest.mark.asyncio

REQUEST = {"event_type": "expense_approval_request", "event_payload": {"approval_id": "approval-1"}}


async def error_of(call) -> dict:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response.data


async def form_post(slack, method: str, form: dict) -> dict:
    async with aiohttp.ClientSession() as session:
        async with session.post(slack.api_url + method, data={"token": slack.sandbox.bot_token, **form}) as resp:
            return await resp.json()


async def test_post_message_stores_the_metadata_given_as_a_slack_sdk_model(client, slack):
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="Request",
                                           metadata=Metadata(**REQUEST))
    assert slack.workspace.find("C0APPROVALS", posted["ts"]).metadata == REQUEST


async def test_a_form_post_sends_the_metadata_as_a_json_string(slack):
    body = await form_post(slack, "chat.postMessage",
                           {"channel": "C0APPROVALS", "text": "Request", "metadata": json.dumps(REQUEST)})
    assert body["ok"]
    assert slack.workspace.find("C0APPROVALS", body["ts"]).metadata == REQUEST


async def test_a_message_without_metadata_has_none(client, slack):
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="plain")
    assert slack.workspace.find("C0APPROVALS", posted["ts"]).metadata is None


@pytest.mark.parametrize("metadata, error", [
    ("{not json", "invalid_metadata_format"),
    ("[1, 2]", "invalid_metadata_format"),
    ('"expense_approval_request"', "invalid_metadata_format"),
    (json.dumps({"event_payload": {"approval_id": "a"}}), "invalid_metadata_schema"),
    (json.dumps({"event_type": 7, "event_payload": {}}), "invalid_metadata_schema"),
    (json.dumps({"event_type": "expense.request", "event_payload": {}}), "invalid_metadata_schema"),
    (json.dumps({"event_type": "expense_approval_request"}), "invalid_metadata_schema"),
    (json.dumps({"event_type": "expense_approval_request", "event_payload": ["approval-1"]}), "invalid_metadata_schema"),
])
async def test_bad_metadata_is_refused_and_nothing_is_posted(slack, metadata, error):
    body = await form_post(slack, "chat.postMessage", {"channel": "C0APPROVALS", "text": "x", "metadata": metadata})
    assert body == {"ok": False, "error": error}
    assert slack.messages("C0APPROVALS") == []


async def test_bad_metadata_in_a_json_body_is_refused(client, slack):
    data = await error_of(client.api_call("chat.postMessage", json={"channel": "C0APPROVALS", "text": "x",
                                                                    "metadata": ["not", "an", "object"]}))
    assert data["error"] == "invalid_metadata_format"
    data = await error_of(client.api_call("chat.postMessage", json={"channel": "C0APPROVALS", "text": "x",
                                                                    "metadata": {"event_type": "", "event_payload": {}}}))
    assert data["error"] == "invalid_metadata_schema"
    assert slack.messages("C0APPROVALS") == []


async def test_update_keeps_the_metadata_unless_it_brings_new_metadata(client, slack):
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="pending", metadata=Metadata(**REQUEST))
    await client.chat_update(channel="C0APPROVALS", ts=posted["ts"], text="approved")
    assert slack.workspace.find("C0APPROVALS", posted["ts"]).metadata == REQUEST
    replaced = {"event_type": "expense_approval_decided", "event_payload": {"approval_id": "approval-1"}}
    await client.chat_update(channel="C0APPROVALS", ts=posted["ts"], text="approved", metadata=replaced)
    assert slack.workspace.find("C0APPROVALS", posted["ts"]).metadata == replaced


async def test_update_with_bad_metadata_changes_nothing(client, slack):
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="pending", metadata=Metadata(**REQUEST))
    data = await error_of(client.chat_update(channel="C0APPROVALS", ts=posted["ts"], text="approved",
                                             metadata={"event_type": "x", "event_payload": "nope"}))
    assert data["error"] == "invalid_metadata_schema"
    message = slack.workspace.find("C0APPROVALS", posted["ts"])
    assert message.text == "pending" and message.metadata == REQUEST and message.edited_ts is None


async def test_a_fault_with_effect_posts_but_answers_the_failure(client, slack):
    slack.fail_next("chat.postMessage", status=500, error="internal_error", retry_after=None, applied=True)
    data = await error_of(client.chat_postMessage(channel="C0APPROVALS", text="Request", metadata=Metadata(**REQUEST)))
    assert data["error"] == "internal_error"
    [message] = slack.messages("C0APPROVALS")
    assert message.metadata == REQUEST
    assert slack.api_log.of("chat.postMessage")[-1]["effect"]["ts"] == message.ts


@pytest.mark.parametrize("empty", [{}, ""])
async def test_update_with_empty_metadata_removes_it(client, slack, empty):
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="pending", metadata=Metadata(**REQUEST))
    await client.api_call("chat.update", json={"channel": "C0APPROVALS", "ts": posted["ts"], "text": "approved",
                                               "metadata": empty})
    assert slack.workspace.find("C0APPROVALS", posted["ts"]).metadata is None
    history = await client.conversations_history(channel="C0APPROVALS", include_all_metadata=True)
    assert "metadata" not in history["messages"][0]


async def test_update_with_empty_metadata_in_a_form_removes_it(client, slack):
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="pending", metadata=Metadata(**REQUEST))
    body = await form_post(slack, "chat.update", {"channel": "C0APPROVALS", "ts": posted["ts"], "text": "approved",
                                                  "metadata": ""})
    assert body["ok"] and slack.workspace.find("C0APPROVALS", posted["ts"]).metadata is None


async def test_metadata_too_large_is_refused_and_nothing_is_posted(client, slack):
    big = {"event_type": "expense_approval_request", "event_payload": {"notes": "x" * 8_000}}
    assert (await error_of(client.chat_postMessage(channel="C0APPROVALS", text="x", metadata=big)))["error"] \
        == "metadata_too_large"
    fits = {"event_type": "expense_approval_request", "event_payload": {"notes": "x" * 7_900}}
    assert (await client.chat_postMessage(channel="C0APPROVALS", text="x", metadata=fits))["ok"]
    assert len(slack.messages("C0APPROVALS")) == 1
