"""Whatever arrives, the sandbox answers like Slack: an error code or a 4xx, never a 500."""

from __future__ import annotations

import json

import aiohttp
from hypothesis import given, settings
from hypothesis import strategies as st

from slack_sandbox.blockkit import BlockKitError, check_blocks, check_view
from slack_sandbox.history import HistoryError, decode_cursor, parse_limit, parse_ts
from slack_sandbox.message_metadata import MetadataError, parse_metadata

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "text", "elements", "fields", "block_id", "action_id", "style", "element",
                         "label", "accessory", "options", "title", "blocks", "submit", "value"]), inner, max_size=5),
    max_leaves=20)

block_like = st.fixed_dictionaries(
    {"type": st.sampled_from(["section", "actions", "context", "header", "divider", "input", "image"])},
    optional={"text": json_values, "elements": json_values, "fields": json_values, "element": json_values,
              "label": json_values, "block_id": json_values, "accessory": json_values})


@settings(max_examples=300, deadline=None)
@given(st.lists(block_like, max_size=4) | json_values)
def test_block_checks_only_ever_raise_block_kit_errors(blocks):
    try:
        check_blocks(blocks)
    except BlockKitError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({"type": st.just("modal"), "title": json_values, "blocks": st.lists(block_like, max_size=3)},
                             optional={"submit": json_values, "close": json_values, "private_metadata": json_values,
                                       "callback_id": json_values}) | json_values)
def test_view_checks_only_ever_raise_block_kit_errors(view):
    try:
        check_view(view)
    except BlockKitError:
        pass


@settings(max_examples=300, deadline=None)
@given(json_values | st.text(max_size=40).map(lambda t: "{" + t)
       | st.fixed_dictionaries({"event_type": json_values, "event_payload": json_values}).map(json.dumps))
def test_metadata_checks_only_ever_raise_metadata_errors(metadata):
    try:
        parse_metadata(metadata)
    except MetadataError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30) | st.floats().map(str) | st.integers().map(str))
def test_history_arguments_only_ever_raise_history_errors(value):
    for check in (lambda: parse_ts(value, "invalid_ts_oldest"), lambda: parse_limit(value), lambda: decode_cursor(value)):
        try:
            check()
        except HistoryError:
            pass


async def test_odd_requests_get_slack_errors_not_server_errors(slack, app):
    token = {"Authorization": f"Bearer {slack.sandbox.bot_token}"}
    odd_bodies = [
        ("chat.postMessage", {"channel": {"id": "C0APPROVALS"}, "text": "x"}),
        ("chat.postMessage", {"channel": "C0APPROVALS", "text": ["x"]}),
        ("chat.postMessage", {"channel": "C0APPROVALS", "blocks": {"type": "section"}}),
        ("chat.postMessage", {"channel": "C0APPROVALS", "blocks": [{"type": "actions", "elements": "x"}]}),
        ("chat.postMessage", {"channel": "C0APPROVALS",
                              "blocks": [{"type": "section", "accessory": 5, "text": {"type": "mrkdwn", "text": "x"}}]}),
        ("chat.update", {"channel": "C0APPROVALS", "ts": 12, "text": "x"}),
        ("views.open", {"trigger_id": "x", "view": "not json"}),
        ("views.open", {"trigger_id": "x", "view": ["modal"]}),
        ("views.update", {"view": {"type": "modal"}}),
        ("users.info", {"user": None}),
        ("conversations.open", {"users": 5}),
        ("conversations.history", {"channel": "C0APPROVALS", "oldest": {"ts": 1}}),
        ("conversations.history", {"channel": "C0APPROVALS", "limit": 1.5}),
        ("conversations.history", {"channel": "C0APPROVALS", "latest": "1e999999999999"}),
        ("conversations.history", {"channel": "C0APPROVALS", "cursor": ["x"]}),
        ("conversations.history", {"channel": ["C0APPROVALS"]}),
        ("chat.postMessage", {"channel": "C0APPROVALS", "text": "x", "metadata": 5}),
        ("chat.update", {"channel": "C0APPROVALS", "ts": "1.0", "text": "x", "metadata": {"event_type": None}}),
    ]
    async with aiohttp.ClientSession() as session:
        for method, body in odd_bodies:
            async with session.post(slack.api_url + method, json=body, headers=token) as resp:
                answer = await resp.json()
                assert resp.status == 200 and answer["ok"] is False, (method, body, answer)
        headers = {**token, "Content-Type": "application/json"}
        async with session.post(slack.api_url + "chat.postMessage", data=b"{broken", headers=headers) as resp:
            assert (await resp.json())["error"] == "invalid_json"
        for path, body in [("/ui/message", {"user": "U0ALICE"}), ("/ui/click", {"user": "U0BOB", "ts": "1"}),
                           ("/ui/views/V1/submit", {"user": "U0BOB", "inputs": []}), ("/ui/message", ["x"]),
                           ("/ui/message", {"user": "U0NOBODY", "channel": "C0APPROVALS", "text": "hi"})]:
            async with session.post(slack.base_url + path, json=body) as resp:
                assert resp.status == 400, (path, await resp.text())
