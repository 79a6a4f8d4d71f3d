"""The approval domain: what counts as a valid request and decision, and the result shapes."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.approvals import (
    MAX_TIMEOUT_SECONDS,
    ApprovalRequest,
    Cancellation,
    Decision,
    InvalidDecision,
    InvalidRequest,
    RecordedCancellation,
    approval_id_for,
    cancelled_output,
    decision_output,
    escalated_output,
    instance_id_from_approval_id,
    parse_response,
    parse_timestamp,
    pascal_case,
    utc_timestamp,
)
from bot.people import Person
from bot.workflow.status import WorkflowStatus

DECIDED_AT = datetime(2025, 9, 19, 16, 45, 30, 123456, tzinfo=UTC)


def test_approval_ids_round_trip_with_or_without_prefix():
    instance_id = "0123456789abcdef0123456789abcdef"
    assert approval_id_for(instance_id) == "approval-" + instance_id
    assert instance_id_from_approval_id(approval_id_for(instance_id)) == instance_id
    assert instance_id_from_approval_id(instance_id) == instance_id


@pytest.mark.parametrize("text", ["", "approval-", "a/b", "x?y", "approval-a#b", " ", "@entity"])
def test_malformed_approval_ids_are_rejected(text):
    with pytest.raises(ValueError):
        instance_id_from_approval_id(text)


@pytest.mark.parametrize(
    "snake, pascal",
    [("expense_approval", "ExpenseApproval"), ("expense", "Expense"), ("time_off_request", "TimeOffRequest")],
)
def test_request_type_is_shown_in_pascal_case(snake, pascal):
    assert pascal_case(snake) == pascal
    assert ApprovalRequest(request_type=snake).display_type == pascal


def test_a_request_with_no_arguments_uses_the_defaults():
    request = ApprovalRequest()
    assert request.request_type == "expense_approval"
    assert request.timeout_seconds == 600
    assert request.timeout_minutes == 10
    assert request.amount is None


def test_request_input_round_trips_as_dict_and_as_json_text():
    request = ApprovalRequest(
        amount=5000,
        requester="alice@company.com",
        requester_account=Person.slack("U123", "alice"),
        description="Conference attendance",
        timeout_seconds=900,
    )
    data = request.to_input()
    assert data == {
        "requestType": "expense_approval",
        "amount": 5000.0,
        "requester": "alice@company.com",
        "requesterAccount": {"platform": "slack", "id": "U123", "name": "alice"},
        "description": "Conference attendance",
        "timeoutSeconds": 900,
        "origin": "api",
        "frontEnds": ["slack"],
    }
    assert ApprovalRequest.from_input(data) == request
    assert ApprovalRequest.from_input(json.dumps(data)) == request


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": math.inf}, "amount"),
        ({"amount": math.nan}, "amount"),
        ({"amount": "5000"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": 1e13}, "amount"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"timeout_seconds": -1}, "timeout_seconds"),
        ({"timeout_seconds": MAX_TIMEOUT_SECONDS + 1}, "timeout_seconds"),
        ({"timeout_seconds": 1.5}, "timeout_seconds"),
        ({"timeout_seconds": True}, "timeout_seconds"),
        ({"request_type": "Expense Approval"}, "request_type"),
        ({"request_type": ""}, "request_type"),
        ({"request_type": 7}, "request_type"),
        ({"requester": ""}, "requester"),
        ({"requester": "x" * 257}, "requester"),
        ({"requester": None}, "requester"),
        ({"description": "x" * 2001}, "description"),
        ({"requester_account": "U123"}, "requester_account"),
        ({"front_ends": ["irc"]}, "front_ends"),
        ({"origin": "fax"}, "origin"),
    ],
)
def test_invalid_requests_name_the_field(kwargs, field):
    with pytest.raises(InvalidRequest) as caught:
        ApprovalRequest(**kwargs)
    assert caught.value.field == field


def test_the_month_to_date_travels_in_the_input_only_when_known():
    known = ApprovalRequest(amount=12, month_to_date=340)
    assert known.to_input()["monthToDate"] == 340.0
    assert ApprovalRequest.from_input(json.dumps(known.to_input())) == known
    assert "monthToDate" not in ApprovalRequest(amount=12).to_input()


@pytest.mark.parametrize("spent", [-1, math.inf, math.nan, True, "340"])
def test_a_month_to_date_that_is_not_an_amount_is_refused(spent):
    with pytest.raises(InvalidRequest) as caught:
        ApprovalRequest(month_to_date=spent)
    assert caught.value.field == "month_to_date"


def test_the_longest_timeout_is_six_days():
    assert ApprovalRequest(timeout_seconds=MAX_TIMEOUT_SECONDS).timeout_seconds == 6 * 24 * 3600


@pytest.mark.parametrize("data", ["not json", "[1, 2]", {"unexpected": 1}, 5])
def test_malformed_orchestrator_input_is_rejected(data):
    with pytest.raises(InvalidRequest):
        ApprovalRequest.from_input(data)


def test_a_decision_parses_from_a_dict_and_from_the_json_text_the_client_delivers():
    payload = {"approved": True, "comments": "Approved by manager", "approver": "manager@company.com"}
    expected = Decision(approved=True, approver="manager@company.com", comments="Approved by manager")
    assert Decision.from_payload(payload) == expected
    assert Decision.from_payload(json.dumps(payload)) == expected


def test_comments_default_to_empty_and_the_deciding_account_is_kept():
    decision = Decision.from_payload({"approved": False, "approver": "m@c.com",
                                      "decidedBy": {"platform": "slack", "id": "U42", "name": "m"}})
    assert decision == Decision(approved=False, approver="m@c.com", comments="", decided_by=Person.slack("U42", "m"))
    assert Decision.from_payload(decision.to_payload()) == decision


def test_a_payload_raised_before_accounts_still_names_its_slack_user():
    decision = Decision.from_payload({"approved": True, "approver": "m", "slackUserId": "U42"})
    assert decision.decided_by == Person.slack("U42", "m") and decision.via == "slack"


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "null",
        "",
        "not json",
        "[true]",
        '"{\\"approved\\": true, \\"approver\\": \\"m\\"}"',  # encoded one time too many
        42,
        [],
        {},
        {"approved": "true", "approver": "m@c.com"},
        {"approved": 1, "approver": "m@c.com"},
        {"approved": None, "approver": "m@c.com"},
        {"approver": "m@c.com"},
        {"approved": True},
        {"approved": True, "approver": ""},
        {"approved": True, "approver": "   "},
        {"approved": True, "approver": 7},
        {"approved": True, "approver": "x" * 257},
        {"approved": True, "approver": "m@c.com", "comments": 3},
        {"approved": True, "approver": "m@c.com", "comments": "x" * 2001},
        {"approved": True, "approver": "m@c.com", "slackUserId": "nope"},
        {"approved": True, "approver": "m@c.com", "amount": 10},
        "[" * 100_000,
        b"\xff\xfe",
    ],
)
def test_anything_but_a_valid_decision_is_rejected(payload):
    with pytest.raises(InvalidDecision):
        Decision.from_payload(payload)


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.text(), st.lists(st.integers()),
                 st.dictionaries(st.text(max_size=12), st.one_of(st.text(), st.integers(), st.none()))))
def test_no_payload_without_a_real_boolean_approves(payload):
    try:
        decision = Decision.from_payload(payload)
    except InvalidDecision:
        return
    assert isinstance(decision.approved, bool)


def test_decision_output_has_the_readme_fields_and_extras():
    request = ApprovalRequest(amount=5000, requester="alice@company.com", description="Conference")
    decision = Decision(approved=True, approver="manager@company.com", comments="Approved by manager")
    output = decision_output(request, "approval-abc", decision, DECIDED_AT)
    assert output == {
        "requestType": "ExpenseApproval",
        "status": "Approved",
        "approval": {
            "approved": True,
            "comments": "Approved by manager",
            "approver": "manager@company.com",
            "timestamp": "2025-09-19T16:45:30Z",
            "via": "api",
        },
        "approvalId": "approval-abc",
        "amount": 5000.0,
        "requester": "alice@company.com",
        "description": "Conference",
        "decidedAt": "2025-09-19T16:45:30Z",
    }
    denial = Decision(approved=False, approver="m@c.com", decided_by=Person.slack("U9", "m"))
    denied = decision_output(request, "approval-abc", denial, DECIDED_AT)
    assert denied["status"] == "Denied"
    assert denied["approval"]["slackUserId"] == "U9" and denied["approval"]["via"] == "slack"
    assert denied["approval"]["decidedBy"] == {"platform": "slack", "id": "U9", "name": "m"}


def test_escalated_output_has_the_readme_fields_and_extras():
    request = ApprovalRequest(timeout_seconds=15 * 60)
    output = escalated_output(request, "approval-abc", DECIDED_AT)
    assert {k: output[k] for k in ("requestType", "status", "reason", "escalation", "timeoutMinutes")} == {
        "requestType": "ExpenseApproval",
        "status": "Escalated",
        "reason": "No response within timeout period",
        "escalation": "Sent to senior management",
        "timeoutMinutes": 15,
    }
    assert output["escalatedAt"] == "2025-09-19T16:45:30Z"
    assert output["approvalId"] == "approval-abc"
    assert escalated_output(ApprovalRequest(timeout_seconds=10), "a", DECIDED_AT)["timeoutMinutes"] == 0.17


def test_timestamps_are_utc_with_z_and_parse_back():
    plus_two = timezone(timedelta(hours=2))
    assert utc_timestamp(datetime(2025, 1, 1, 12, 0, tzinfo=plus_two)) == "2025-01-01T10:00:00Z"
    assert parse_timestamp("2025-01-01T10:00:00Z") == datetime(2025, 1, 1, 10, tzinfo=UTC)


def test_workflow_status_shape_keeps_the_documented_fields_and_reads_back():
    status = WorkflowStatus("waiting_for_approval", "approval-abc", DECIDED_AT, requester=Person.slack("U1", "al"))
    assert status.to_json() == {
        "stage": "waiting_for_approval",
        "approvalId": "approval-abc",
        "deadline": "2025-09-19T16:45:30Z",
        "message": None,
        "messages": {},
        "requester": {"platform": "slack", "id": "U1", "name": "al"},
        "requesterSlackId": "U1",
        "invalidResponses": 0,
        "lastInvalidResponse": None,
    }
    again = WorkflowStatus.from_json(status.to_json())
    assert again is not None and again.to_json() == status.to_json()


def test_a_cancellation_round_trips_on_the_decision_event_and_never_approves():
    cancellation = Cancellation(by="alice", reason="Bought it myself", cancelled_by=Person.slack("U42", "alice"))
    assert parse_response(cancellation.to_payload()) == cancellation
    assert parse_response(json.dumps(cancellation.to_payload())) == cancellation
    assert cancellation.approved is False and cancellation.status == "Cancelled" and cancellation.via == "slack"
    assert isinstance(parse_response({"approved": True, "approver": "m"}), Decision)


@pytest.mark.parametrize("payload", [
    {"cancel": True},
    {"cancel": 1, "by": "alice"},
    {"cancel": True, "by": ""},
    {"cancel": True, "by": "alice", "reason": 3},
    {"cancel": True, "by": "alice", "reason": "x" * 2001},
    {"cancel": True, "by": "alice", "approved": True},
    {"cancel": True, "by": "alice", "cancelledBy": {"platform": "fax", "id": "1"}},
    {"approved": True, "approver": "m", "cancel": True},
])
def test_anything_but_a_valid_cancellation_is_rejected(payload):
    with pytest.raises(InvalidDecision):
        parse_response(payload)


def test_only_the_requester_may_cancel():
    alice = Person.slack("U0ALICE", "alice")
    in_slack = ApprovalRequest(requester="alice", requester_account=alice, origin="slack")
    over_http = ApprovalRequest(requester="alice@company.com")
    assert Cancellation("alice", cancelled_by=alice).is_by_requester(in_slack, alice)
    assert not Cancellation("bob", cancelled_by=Person.slack("U0BOB", "bob")).is_by_requester(in_slack, alice)
    assert not Cancellation("alice").is_by_requester(in_slack, alice), "HTTP callers are nobody in a chat"
    assert Cancellation("ALICE@company.com ").is_by_requester(over_http, None)
    assert not Cancellation("mallory@company.com").is_by_requester(over_http, None)


def test_cancelled_output_keeps_the_readme_fields_and_says_who_and_when():
    request = ApprovalRequest(amount=5000, requester="alice@company.com", description="Conference")
    output = cancelled_output(request, "approval-abc", Cancellation("alice@company.com"), DECIDED_AT)
    assert output == {
        "requestType": "ExpenseApproval", "status": "Cancelled",
        "cancellation": {"by": "alice@company.com", "reason": "", "timestamp": "2025-09-19T16:45:30Z", "via": "api"},
        "approvalId": "approval-abc", "amount": 5000.0, "requester": "alice@company.com",
        "description": "Conference", "cancelledAt": "2025-09-19T16:45:30Z",
    }
    recorded = RecordedCancellation.from_record(output["cancellation"])
    assert (recorded.by, recorded.via, recorded.cancelled_by) == ("alice@company.com", "api", None)
