"""The activities' Slack calls against the recording fake: retries, failures, lookups."""

from collections.abc import AsyncIterator
from datetime import datetime, timezone

import pytest

from bot.approvals import ApprovalRequest
from bot.config import SlackSettings
from bot.slack.messages import RecordedDecision
from bot.slack.notifier import Notifier, PostedMessage, SlackCallFailed, notifier
from tests.fakes.slack_api import FakeSlackApi

TOKEN = "xoxb-notifier"
DEADLINE = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
APPROVAL_ID = "approval-" + "a" * 32


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi(token=TOKEN, users_by_email={"alice@company.com": "UALICE"}) as fake:
        yield fake


def _settings(fake: FakeSlackApi) -> SlackSettings:
    return SlackSettings(TOKEN, "secret", fake.api_url, "CAPPROVE", "CESCALATE", frozenset())


def _request(**changes: object) -> ApprovalRequest:
    values = {"amount": 42.0, "requester": "alice@company.com", "description": "Books", "timeout_seconds": 60}
    return ApprovalRequest(**{**values, **changes})  # type: ignore[arg-type]


async def test_posting_finds_the_requester_by_email_and_returns_where_it_landed(fake: FakeSlackApi) -> None:
    posted = await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(), DEADLINE)
    assert posted.channel == "CAPPROVE" and posted.requester_slack_id == "UALICE"
    assert posted.permalink and posted.permalink.startswith("https://")
    assert [call.method for call in fake.calls] == ["users.lookupByEmail", "chat.postMessage", "chat.getPermalink"]
    assert all(call.token == TOKEN for call in fake.calls)


async def test_an_unknown_email_is_fine_and_a_name_is_not_looked_up(fake: FakeSlackApi) -> None:
    posted = await Notifier(_settings(fake)).post_approval_request(
        APPROVAL_ID, _request(requester="nobody@company.com"), DEADLINE
    )
    assert posted.requester_slack_id is None
    await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(requester="alice"), DEADLINE)
    assert len(fake.calls_to("users.lookupByEmail")) == 1


async def test_a_rate_limit_is_waited_out(fake: FakeSlackApi) -> None:
    fake.rate_limit("chat.postMessage", retry_after=0, times=2)
    await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(requester="bob"), DEADLINE)
    assert [call.status for call in fake.calls_to("chat.postMessage")] == [429, 429, 200]


async def test_a_persistent_server_error_raises_one_line_naming_method_and_error(fake: FakeSlackApi) -> None:
    fake.fail("chat.postMessage", status=503, error="service_unavailable", times=None)
    with pytest.raises(SlackCallFailed) as raised:
        await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(requester="bob"), DEADLINE)
    assert str(raised.value) == "Slack chat.postMessage failed: service_unavailable (HTTP 503)"
    assert len(fake.calls_to("chat.postMessage")) == 2  # slack_sdk retried once


async def test_a_slack_error_answer_raises_too(fake: FakeSlackApi) -> None:
    posted = PostedMessage("CAPPROVE", "1.000001", None, None)  # never posted: chat.update says not found
    decision = RecordedDecision(True, "carol", "", DEADLINE, "UCAROL")
    with pytest.raises(SlackCallFailed, match="chat.update failed: message_not_found"):
        await Notifier(_settings(fake)).record_decision(APPROVAL_ID, _request(), decision, posted)


async def test_a_hanging_slack_times_out_and_raises(fake: FakeSlackApi) -> None:
    fake.hang("chat.postMessage", times=None)
    with pytest.raises(SlackCallFailed, match="chat.postMessage failed"):
        async with notifier(_settings(fake), timeout=1) as slack:
            await slack.post_approval_request(APPROVAL_ID, _request(requester="bob"), DEADLINE)


async def test_a_decision_updates_the_original_and_dms_the_requester(fake: FakeSlackApi) -> None:
    notifier = Notifier(_settings(fake))
    posted = await notifier.post_approval_request(APPROVAL_ID, _request(), DEADLINE)
    decision = RecordedDecision.from_record({"approved": False, "approver": "carol", "comments": "No"})
    await notifier.record_decision(APPROVAL_ID, _request(), decision, posted)
    assert fake.message(posted.channel, posted.ts).updates == 1
    assert fake.calls_to("conversations.open")[0].args["users"] == "UALICE"


async def test_escalation_without_an_original_message_still_reaches_senior_management(fake: FakeSlackApi) -> None:
    await Notifier(_settings(fake)).escalate(APPROVAL_ID, _request(requester="bob"), DEADLINE, None)
    assert [call.method for call in fake.calls] == ["chat.postMessage"]
    assert fake.calls[0].args["channel"] == "CESCALATE"
