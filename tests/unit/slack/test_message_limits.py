"""Every message, modal and ephemeral stays within Slack's limits for the largest and most hostile
input that validation accepts, so no builder can fail a notifying activity."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.approvals import (
    MAX_APPROVER_LENGTH,
    MAX_COMMENTS_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_REQUESTER_LENGTH,
    ApprovalRequest,
    RecordedDecision,
)
from bot.people import Person
from bot.slack import messages
from bot.slack.modals import DenyTarget, deny_reason_modal
from testkit.blockkit import assert_valid_blocks

APPROVAL_ID = "approval-" + "f" * 32
DEADLINE = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
LINK = "https://fake.slack.com/archives/C1/p1700000000000001"
MAX_UPDATE_TEXT = 4000  # chat.update refuses longer text (msg_too_long)

HOSTILE_PIECES = ["&", "<", ">", "\n", "<!channel>", "<@U123>", "*", "_", "`", "> ", ":x:", "é", "🎉", "a"]


def typed(max_size: int) -> st.SearchStrategy[str]:
    """Text as people type it, weighted to what grows when escaped or quoted."""
    return st.lists(st.sampled_from(HOSTILE_PIECES), max_size=max_size).map("".join).map(lambda t: t[:max_size])


def longest(piece: str, size: int) -> str:
    return (piece * size)[:size]


@st.composite
def requests(draw: st.DrawFn) -> ApprovalRequest:
    requester = draw(typed(MAX_REQUESTER_LENGTH)).strip() or "x"
    account = draw(st.sampled_from([None, Person.slack("U0ALICE", "alice")]))
    return ApprovalRequest(amount=draw(st.sampled_from([None, 0.01, 1e12])), requester=requester,
                           requester_account=account, description=draw(typed(MAX_DESCRIPTION_LENGTH)))


@st.composite
def decisions(draw: st.DrawFn) -> RecordedDecision:
    by = draw(st.sampled_from([None, Person.slack("U0BOB", "bob")]))
    return RecordedDecision(draw(st.booleans()), draw(typed(MAX_APPROVER_LENGTH)).strip() or "x",
                            draw(typed(MAX_COMMENTS_LENGTH)), DEADLINE, by, "slack" if by else "api")


def every_message(request: ApprovalRequest, decision: RecordedDecision) -> list[messages.SlackMessage]:
    return [
        messages.approval_request(APPROVAL_ID, request, DEADLINE),
        messages.decided(APPROVAL_ID, request, decision),
        messages.expired(APPROVAL_ID, request, DEADLINE),
        messages.escalation(APPROVAL_ID, request, DEADLINE, "No response within timeout period", LINK),
        messages.requester_decision_notice(APPROVAL_ID, request, decision, LINK),
        messages.requester_escalation_notice(APPROVAL_ID, request, DEADLINE, LINK),
        messages.request_started(APPROVAL_ID, request, DEADLINE),
    ]


def assert_within_limits(request: ApprovalRequest, decision: RecordedDecision) -> None:
    for message in every_message(request, decision):
        assert_valid_blocks(message.block_dicts())
        assert 0 < len(message.text) <= MAX_UPDATE_TEXT
    modal = deny_reason_modal(DenyTarget(APPROVAL_ID, "C0APPROVE", "1700000000.000001"), request).to_dict()
    assert_valid_blocks(modal["blocks"])


@settings(max_examples=150, deadline=None)
@given(requests(), decisions())
def test_any_accepted_input_builds_valid_messages(request: ApprovalRequest, decision: RecordedDecision) -> None:
    assert_within_limits(request, decision)


def test_the_largest_inputs_of_every_growing_kind_build_valid_messages() -> None:
    for piece in ("&", "<", "\n", "a\n", "&\n", "<!channel>"):
        request = ApprovalRequest(amount=1e12, requester=longest(piece, MAX_REQUESTER_LENGTH).strip() or "x",
                                  description=longest(piece, MAX_DESCRIPTION_LENGTH))
        decision = RecordedDecision(False, longest(piece, MAX_APPROVER_LENGTH).strip() or "x",
                                    longest(piece, MAX_COMMENTS_LENGTH), DEADLINE, None, "api")
        assert_within_limits(request, decision)
