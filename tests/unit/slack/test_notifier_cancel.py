"""The cancel_approval activity's Slack calls against the recording fake: once, whatever re-runs."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.approvals import ApprovalRequest, RecordedCancellation
from bot.config import SlackSettings
from bot.slack.notifier import Notifier
from testkit.blockkit import all_text, buttons
from testkit.slack_api import FakeSlackApi

TOKEN = "xoxb-notifier"
DEADLINE = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
APPROVAL_ID = "approval-" + "c" * 32
REQUEST = ApprovalRequest(amount=42.0, requester="alice@company.com", description="Books", timeout_seconds=60)
CANCELLED = RecordedCancellation.from_record(
    {"by": "alice@company.com", "reason": "Found it cheaper", "timestamp": "2026-11-27T08:59:30Z", "via": "api"})


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi(token=TOKEN, users_by_email={"alice@company.com": "UALICE"}) as fake:
        yield fake


async def test_a_cancellation_rewrites_the_request_and_tells_the_requester_once_across_reruns(
        fake: FakeSlackApi) -> None:
    notifier = Notifier(SlackSettings(TOKEN, "secret", fake.api_url, "CAPPROVE", "CESCALATE", frozenset()))
    posted = await notifier.post_approval_request(APPROVAL_ID, REQUEST, DEADLINE)
    for _ in range(2):  # an activity runs at least once
        await notifier.record_cancellation(APPROVAL_ID, REQUEST, CANCELLED, posted.to_output())

    original = fake.message(posted.channel, posted.ts)
    assert buttons(original.blocks) == []
    text = all_text(original.blocks)
    assert "*Cancelled* by alice@company.com (through the HTTP API)" in text and "Found it cheaper" in text
    [dm] = [m for m in fake.messages.values() if m.channel.startswith("D")]
    assert "was cancelled by alice@company.com" in dm.text
    assert {call.args["users"] for call in fake.calls_to("conversations.open")} == {"UALICE"}
