"""The activities' Slack calls against the recording fake: retries, failures, lookups."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.approvals import ApprovalRequest, RecordedDecision
from bot.config import SlackSettings
from bot.people import Person
from bot.slack.notifier import Notifier, PostedMessage, SlackCallFailed, notifier
from testkit.blockkit import all_text, buttons
from testkit.slack_api import FakeSlackApi

TOKEN = "xoxb-notifier"
DEADLINE = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
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
    assert [call.method for call in fake.calls] == [
        "users.lookupByEmail", "conversations.history", "chat.postMessage", "chat.getPermalink"]
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
    decision = RecordedDecision(True, "carol", "", DEADLINE, Person.slack("UCAROL", "carol"), "slack")
    with pytest.raises(SlackCallFailed, match="chat.update failed: message_not_found"):
        await Notifier(_settings(fake)).record_decision(APPROVAL_ID, _request(), decision, posted.to_output())


async def test_a_hanging_slack_times_out_and_raises(fake: FakeSlackApi) -> None:
    fake.hang("chat.postMessage", times=None)
    with pytest.raises(SlackCallFailed, match="chat.postMessage failed"):
        async with notifier(_settings(fake), timeout=1) as slack:
            await slack.post_approval_request(APPROVAL_ID, _request(requester="bob"), DEADLINE)


async def test_a_decision_updates_the_original_and_dms_the_requester(fake: FakeSlackApi) -> None:
    notifier = Notifier(_settings(fake))
    posted = await notifier.post_approval_request(APPROVAL_ID, _request(), DEADLINE)
    decision = RecordedDecision.from_record({"approved": False, "approver": "carol", "comments": "No"})
    await notifier.record_decision(APPROVAL_ID, _request(), decision, posted.to_output())
    assert fake.message(posted.channel, posted.ts).updates == 1
    assert fake.calls_to("conversations.open")[0].args["users"] == "UALICE"


async def test_escalation_without_an_original_message_still_reaches_senior_management(fake: FakeSlackApi) -> None:
    await Notifier(_settings(fake)).escalate(APPROVAL_ID, _request(requester="bob"), DEADLINE, None)
    assert [call.method for call in fake.calls] == ["conversations.history", "chat.postMessage"]
    assert fake.calls[0].args["channel"] == "CESCALATE"


# --- one request message per approval, whatever re-runs ------------------------------------------


def _with_buttons(fake: FakeSlackApi) -> list[str]:
    return [m.ts for m in fake.messages_in("CAPPROVE") if buttons(m.blocks)]


def _started_a_minute_ago() -> datetime:
    """The deadline of a request (60 s timeout) that started a minute ago."""
    return datetime.now(UTC)


async def test_every_run_looks_for_an_earlier_post_before_posting(fake: FakeSlackApi) -> None:
    """A crash re-run looks exactly like a first run to the activity, so both look first."""
    just_started = datetime.now(UTC) + timedelta(seconds=60)
    await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(requester="bob"), just_started)
    assert [call.method for call in fake.calls] == ["conversations.history", "chat.postMessage", "chat.getPermalink"]


async def test_a_rerun_of_the_posting_activity_keeps_the_first_post(fake: FakeSlackApi) -> None:
    """The process died after Slack posted the request but before the workflow stored where."""
    first = await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(), _started_a_minute_ago())
    again = await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(), _started_a_minute_ago())
    assert (again.channel, again.ts) == (first.channel, first.ts)
    assert len(fake.messages_in("CAPPROVE")) == 1 and len(fake.calls_to("chat.postMessage")) == 1
    stored = fake.message(first.channel, first.ts)
    assert stored.metadata == {"event_type": "expense_approval_request", "event_payload": {"approval_id": APPROVAL_ID}}


async def test_a_post_whose_answer_was_lost_is_looked_for_not_posted_twice(fake: FakeSlackApi) -> None:
    fake.fail("chat.postMessage", status=500, applied=True)  # Slack posted it, then the answer failed
    posted = await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(), DEADLINE)
    (message,) = fake.messages_in("CAPPROVE")
    assert posted.ts == message.ts and len(fake.calls_to("chat.postMessage")) == 1


async def test_a_server_error_that_posted_nothing_is_posted_after_looking(fake: FakeSlackApi) -> None:
    fake.fail("chat.postMessage", status=500)
    posted = await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(), DEADLINE)
    (message,) = fake.messages_in("CAPPROVE")
    assert posted.ts == message.ts
    assert [call.method for call in fake.calls if call.method != "users.lookupByEmail"] == [
        "conversations.history", "chat.postMessage", "conversations.history", "chat.postMessage", "chat.getPermalink"]


async def test_other_approvals_posts_are_not_taken_for_this_one(fake: FakeSlackApi) -> None:
    other = "approval-" + "b" * 32
    first = await Notifier(_settings(fake)).post_approval_request(other, _request(), _started_a_minute_ago())
    mine = await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(), _started_a_minute_ago())
    assert mine.ts != first.ts and len(fake.messages_in("CAPPROVE")) == 2


async def test_without_access_to_the_channel_history_the_request_is_still_posted(fake: FakeSlackApi) -> None:
    fake.fail("conversations.history", status=200, error="missing_scope", times=None)
    posted = await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(), _started_a_minute_ago())
    assert fake.message(posted.channel, posted.ts).blocks


async def _two_copies(fake: FakeSlackApi) -> PostedMessage:
    """Two posts of the request are in the channel (the second made while the history could not
    be read); the run that the workflow keeps reuses the first and reports the other."""
    first = await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(), _started_a_minute_ago())
    fake.fail("conversations.history", status=200, error="missing_scope", times=1)
    second = await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(), _started_a_minute_ago())
    recorded = await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(), _started_a_minute_ago())
    assert (recorded.ts, recorded.copies) == (first.ts, (second.ts,)) and len(_with_buttons(fake)) == 2
    assert PostedMessage.from_output(recorded.to_output()) == recorded
    return recorded


async def test_a_decision_takes_the_buttons_off_every_copy_of_the_request(fake: FakeSlackApi) -> None:
    recorded = await _two_copies(fake)
    decision = RecordedDecision(True, "carol", "", datetime.now(UTC), Person.slack("UCAROL", "carol"), "slack")
    await Notifier(_settings(fake)).record_decision(APPROVAL_ID, _request(), decision, recorded.to_output())
    assert _with_buttons(fake) == []
    assert all("*Approved* by <@UCAROL>" in all_text(m.blocks) for m in fake.messages_in("CAPPROVE"))


async def test_an_escalation_takes_the_buttons_off_every_copy_of_the_request(fake: FakeSlackApi) -> None:
    recorded = await _two_copies(fake)
    await Notifier(_settings(fake)).escalate(APPROVAL_ID, _request(), DEADLINE, recorded.to_output())
    assert _with_buttons(fake) == []
    assert all("*Expired*" in all_text(m.blocks) for m in fake.messages_in("CAPPROVE"))


async def test_a_copy_deleted_meanwhile_does_not_fail_the_outcome(fake: FakeSlackApi) -> None:
    recorded = await _two_copies(fake)
    fake.messages.pop(("CAPPROVE", recorded.copies[0]))
    await Notifier(_settings(fake)).escalate(APPROVAL_ID, _request(), DEADLINE, recorded.to_output())
    assert _with_buttons(fake) == []


async def test_activities_share_connections_to_slack(fake: FakeSlackApi) -> None:
    """Each activity used to open its own HTTP session, so every activity paid a new connection."""
    for approval in ("approval-" + "c" * 32, "approval-" + "d" * 32):
        async with notifier(_settings(fake)) as slack:
            await slack.post_approval_request(approval, _request(requester="bob"), DEADLINE)
    assert len({call.peer for call in fake.calls}) == 1, [call.peer for call in fake.calls]


# --- escalations and notices are sent once, whatever re-runs ---------------------------------------


def _dms(fake: FakeSlackApi) -> list[str]:
    return [m.ts for m in fake.messages.values() if m.channel.startswith("D")]


async def test_an_escalation_run_again_after_a_crash_posts_and_tells_the_requester_once(fake: FakeSlackApi) -> None:
    posted = await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(), _started_a_minute_ago())
    for _ in range(3):  # the activity's answer was lost twice, so it ran three times
        await Notifier(_settings(fake)).escalate(APPROVAL_ID, _request(), DEADLINE, posted.to_output())
    assert len(fake.messages_in("CESCALATE")) == 1
    assert len(_dms(fake)) == 1


async def test_a_decision_run_again_after_a_crash_tells_the_requester_once(fake: FakeSlackApi) -> None:
    posted = await Notifier(_settings(fake)).post_approval_request(APPROVAL_ID, _request(), _started_a_minute_ago())
    decision = RecordedDecision(True, "carol", "", datetime.now(UTC) - timedelta(seconds=5),
                                Person.slack("UCAROL", "carol"), "slack")
    for _ in range(3):
        await Notifier(_settings(fake)).record_decision(APPROVAL_ID, _request(), decision, posted.to_output())
    assert len(_dms(fake)) == 1
    (notice,) = [m for m in fake.messages.values() if m.channel.startswith("D")]
    assert "Books" in notice.text and "$42.00" in notice.text, "the notice names the request"
    assert posted.permalink is not None and posted.permalink in all_text(notice.blocks)


async def test_notices_of_two_requests_are_both_sent(fake: FakeSlackApi) -> None:
    other = "approval-" + "b" * 32
    for approval_id in (APPROVAL_ID, other):
        posted = await Notifier(_settings(fake)).post_approval_request(approval_id, _request(), _started_a_minute_ago())
        await Notifier(_settings(fake)).escalate(approval_id, _request(), DEADLINE, posted.to_output())
    assert len(fake.messages_in("CESCALATE")) == 2 and len(_dms(fake)) == 2
