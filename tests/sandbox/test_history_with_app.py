"""The real app on devhost against the sandbox: its request posts carry their metadata, and its
search of the approvers' channel history works (no "not available" fallback), so a post whose
answer was lost is found and kept instead of posted twice."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from devhost.testing import run_devhost
from slack_sandbox.testing import PROJECT_MANIFEST, run_sandbox

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]
START = {"amount": 300, "requester": "alice@company.com", "description": "Client dinner", "timeout_seconds": 600}


@pytest.fixture
async def stack():
    async with run_sandbox(manifest=PROJECT_MANIFEST) as slack:
        env = {**slack.env(), "SKIP_SLACK_SDK_WARNING": "1"}
        async with run_devhost(ROOT, env=env, virtual_clock=True) as host:
            slack.connect_app(host.base_url)
            yield slack, host


async def start_request(host) -> dict:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{host.base_url}/api/human_interaction", json=START) as response:
            assert response.status == 202, await response.text()
            return await response.json()


def request_metadata(approval_id: str) -> dict:
    return {"event_type": "expense_approval_request", "event_payload": {"approval_id": approval_id}}


def assert_history_calls_succeeded(slack, caplog, at_least: int) -> None:
    calls = slack.api_log.of("conversations.history")
    assert len(calls) >= at_least
    assert "conversations.history is not available" not in caplog.text
    for call in calls:
        assert call["response"]["ok"], call["response"]
        assert call["args"]["channel"] == "C0APPROVALS"
        assert str(call["args"]["include_all_metadata"]).lower() in ("1", "true")


async def recorded_message(host, instance_id: str) -> dict:
    status = await host.wait_for_custom_status(
        instance_id, lambda custom: isinstance(custom, dict) and custom.get("stage") == "waiting_for_approval")
    return status["customStatus"]["message"]


async def test_a_request_posted_by_the_app_carries_its_metadata(stack, caplog):
    slack, host = stack
    started = await start_request(host)
    request = await slack.wait_for_message("#expense-approvals", lambda m: m.blocks)
    assert request.metadata == request_metadata(started["approvalId"])
    assert (await recorded_message(host, started["id"]))["ts"] == request.ts
    assert_history_calls_succeeded(slack, caplog, at_least=0)


async def test_a_post_whose_answer_was_lost_is_found_in_history_and_kept(stack, caplog):
    slack, host = stack
    slack.fail_next("chat.postMessage", status=500, error="internal_error", retry_after=None, applied=True)
    started = await start_request(host)
    message = await recorded_message(host, started["id"])
    requests = [m for m in slack.messages("#expense-approvals") if m.blocks]
    assert len(requests) == 1, "the request was posted twice"
    assert message["ts"] == requests[0].ts
    assert requests[0].metadata == request_metadata(started["approvalId"])
    assert_history_calls_succeeded(slack, caplog, at_least=1)  # at least the look after the lost answer
    found = slack.api_log.of("conversations.history")[-1]["response"]["messages"]
    assert [m["ts"] for m in found if m.get("metadata") == request_metadata(started["approvalId"])] == [message["ts"]]
