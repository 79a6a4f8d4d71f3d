"""The messages the bot posts, checked with slack_sdk's Block Kit models."""

import dataclasses
from datetime import UTC, datetime

from bot.approvals import ApprovalRequest, RecordedCancellation, RecordedDecision
from bot.people import Person
from bot.slack import messages
from testkit.blockkit import all_text, assert_valid_blocks, buttons

DEADLINE = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
REQUEST = ApprovalRequest(
    amount=5000.0, requester="alice@company.com", requester_account=Person.slack("UALICE", "alice"),
    description="Conference <attendance> & travel", timeout_seconds=3600,
)
APPROVAL_ID = "approval-0123456789abcdef0123456789abcdef"


def test_the_request_shows_who_how_much_what_for_and_the_deadline_with_two_buttons() -> None:
    message = messages.approval_request(APPROVAL_ID, REQUEST, DEADLINE)
    blocks = message.block_dicts()
    assert_valid_blocks(blocks)
    text = all_text(blocks)
    assert "<@UALICE>" in text and "$5,000.00" in text
    assert "Conference &lt;attendance&gt; &amp; travel" in text
    assert f"<!date^{int(DEADLINE.timestamp())}^{{date_short_pretty}} at {{time}}|2026-11-27 15:30 UTC>" in text
    approve, deny = buttons(blocks)
    assert (approve["action_id"], approve["style"], approve["value"]) == ("approve_request", "primary", APPROVAL_ID)
    assert (deny["action_id"], deny["style"], deny["value"]) == ("deny_request", "danger", APPROVAL_ID)
    assert "$5,000.00" in message.text


def test_a_requester_without_slack_id_is_shown_by_name() -> None:
    request = ApprovalRequest(amount=12.5, requester="bob@company.com", description="Pens")
    text = all_text(messages.approval_request(APPROVAL_ID, request, DEADLINE).block_dicts())
    assert "bob@company.com" in text and "<@" not in text


def test_a_decided_message_has_no_buttons_and_says_who_when_and_why() -> None:
    decision = RecordedDecision(False, "carol", "Over budget\nTry Q3", DEADLINE, Person.slack("UCAROL", "carol"), "slack")
    blocks = messages.decided(APPROVAL_ID, REQUEST, decision).block_dicts()
    assert_valid_blocks(blocks)
    assert buttons(blocks) == []
    text = all_text(blocks)
    assert "*Denied* by <@UCAROL> at <!date^" in text
    assert ">Over budget\n>Try Q3" in text


def test_a_decision_from_the_http_api_names_the_approver() -> None:
    decision = RecordedDecision.from_record(
        {"approved": True, "approver": "manager@company.com", "comments": "", "timestamp": "2026-11-27T10:00:00Z"}
    )
    blocks = messages.decided(APPROVAL_ID, REQUEST, decision).block_dicts()
    assert "*Approved* by manager@company.com (through the HTTP API) at <!date^" in all_text(blocks)
    assert not any(block["block_id"] == "comments" for block in blocks)


def test_the_expired_message_has_no_buttons() -> None:
    blocks = messages.expired(APPROVAL_ID, REQUEST, DEADLINE).block_dicts()
    assert_valid_blocks(blocks)
    assert buttons(blocks) == []
    assert "escalated to senior management" in all_text(blocks)


def test_the_escalation_post_has_details_reason_and_link() -> None:
    link = "https://fake.slack.com/archives/C1/p1700000000000001"
    reason = "No response within timeout period"
    blocks = messages.escalation(APPROVAL_ID, REQUEST, DEADLINE, reason, link).block_dicts()
    assert_valid_blocks(blocks)
    text = all_text(blocks)
    assert "$5,000.00" in text and "No response within timeout period" in text and f"<{link}|" in text
    assert APPROVAL_ID in text


def test_requester_notices_are_valid() -> None:
    decision = RecordedDecision(True, "carol", "", DEADLINE, Person.slack("UCAROL", "carol"), "slack")
    for message in (
        messages.requester_decision_notice(APPROVAL_ID, REQUEST, decision),
        messages.requester_escalation_notice(APPROVAL_ID, REQUEST, DEADLINE),
        messages.request_started(APPROVAL_ID, REQUEST, DEADLINE),
    ):
        assert_valid_blocks(message.block_dicts())
        assert message.text


def test_very_long_descriptions_stay_within_block_limits() -> None:
    request = ApprovalRequest(amount=1.0, requester="x" * 256, description="&" * 2000)
    decision = RecordedDecision(True, "y" * 256, "<" * 2000, DEADLINE, None, "api")
    for message in (
        messages.approval_request(APPROVAL_ID, request, DEADLINE),
        messages.decided(APPROVAL_ID, request, decision),
        messages.escalation(APPROVAL_ID, request, DEADLINE, "reason", None),
    ):
        assert_valid_blocks(message.block_dicts())


def test_the_requester_confirmation_carries_cancel_request_and_the_outcome_none() -> None:
    for build in (messages.request_started, messages.request_repeated):
        blocks = build(APPROVAL_ID, REQUEST, DEADLINE).block_dicts()
        assert_valid_blocks(blocks)
        [cancel] = buttons(blocks)
        assert (cancel["action_id"], cancel["value"], cancel["text"]["text"]) == (
            "cancel_request", APPROVAL_ID, "Cancel request")


def test_a_cancelled_request_has_no_buttons_and_says_who_cancelled_and_why() -> None:
    cancellation = RecordedCancellation("alice", "Bought it <myself>", DEADLINE, Person.slack("UALICE", "alice"),
                                        "slack")
    for message in (messages.cancelled(APPROVAL_ID, REQUEST, cancellation),
                    messages.requester_cancellation_notice(APPROVAL_ID, REQUEST, cancellation, "https://x/p"),
                    messages.cancel_confirmed(APPROVAL_ID, REQUEST, cancellation)):
        blocks = message.block_dicts()
        assert_valid_blocks(blocks)
        assert not buttons(blocks)
    text = all_text(messages.cancelled(APPROVAL_ID, REQUEST, cancellation).block_dicts())
    assert "*Cancelled* by <@UALICE>" in text and "Bought it &lt;myself&gt;" in text


def test_a_cancellation_over_the_http_api_names_the_requester_as_text() -> None:
    cancellation = RecordedCancellation("<!channel> alice", "", DEADLINE, None, "api")
    text = all_text(messages.cancelled(APPROVAL_ID, REQUEST, cancellation).block_dicts())
    assert "&lt;!channel&gt; alice (through the HTTP API)" in text


def test_the_request_shows_the_requesters_month_to_date_when_it_is_known() -> None:
    known = dataclasses.replace(REQUEST, month_to_date=1234.5)
    blocks = messages.approval_request(APPROVAL_ID, known, DEADLINE).block_dicts()
    assert_valid_blocks(blocks)
    assert "Month to date: $1,234.50 approved for this requester" in all_text(blocks)
    unknown = messages.approval_request(APPROVAL_ID, REQUEST, DEADLINE).block_dicts()
    assert "Month to date" not in all_text(unknown)
