"""The requester cancels: replayed through the real SDK handle from hand-built history."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.approvals import ApprovalRequest
from bot.people import SLACK, Person
from tests.unit.workflow.history import CALL_ACTIVITY_WITH_RETRY, History
from tests.unit.workflow.test_orchestrator import (
    APPROVAL_ID,
    APPROVE,
    EVENT,
    INSTANCE_ID,
    MESSAGE,
    REQUEST,
    T0,
    sent,
    start,
)

ALICE = {"platform": "slack", "id": "U0ALICE", "name": "alice"}
CANCEL = {"cancel": True, "by": "alice", "reason": "Bought it myself", "cancelledBy": ALICE}
BOB_CANCELS = {"cancel": True, "by": "bob", "cancelledBy": {"platform": "slack", "id": "U0BOB", "name": "bob"}}

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def history(handle) -> History:
    return History(handle=handle, instance_id=INSTANCE_ID, input=json.dumps(REQUEST.to_input()), now=T0)


def test_the_requester_cancels_while_it_waits(history):
    waiting = sent(history)
    cancelled = history.episode(history.raised(EVENT, CANCEL), after=timedelta(minutes=2))
    cancelled_at = "2025-09-19T16:02:01Z"

    [timer] = cancelled.timers()
    assert timer.action["isCanceled"] is True, "the deadline no longer matters"
    assert waiting.timers()[0].task_id == timer.task_id
    notify = cancelled.new("cancel_approval")
    assert notify.kind == CALL_ACTIVITY_WITH_RETRY
    record = {"by": "alice", "reason": "Bought it myself", "timestamp": cancelled_at, "via": SLACK,
              "cancelledBy": ALICE}
    assert notify.input == {"approvalId": APPROVAL_ID, "request": REQUEST.to_input(), "cancellation": record,
                            "frontEnd": "slack", "message": MESSAGE}
    assert cancelled.custom_status["stage"] == "cancelling"
    assert cancelled.custom_status["outcome"]["status"] == "Cancelled", "the outcome is fixed before notifying"
    assert not cancelled.activity_calls("process_approval")

    done = history.episode(history.completed(notify, None))
    assert done.done
    assert done.output == {
        "requestType": "ExpenseApproval",
        "status": "Cancelled",
        "cancellation": record,
        "approvalId": APPROVAL_ID,
        "amount": 5000.0,
        "requester": "alice@company.com",
        "description": "Conference attendance expenses",
        "cancelledAt": cancelled_at,
    }
    assert done.custom_status["stage"] == "done"


def test_a_cancellation_by_anyone_else_is_refused_and_the_request_keeps_waiting(history):
    sent(history)
    refused = history.episode(history.raised(EVENT, BOB_CANCELS))

    assert not refused.done
    assert not refused.activity_calls("cancel_approval")
    assert refused.timers()[0].action["isCanceled"] is False
    assert refused.custom_status["stage"] == "waiting_for_approval"
    assert refused.custom_status["invalidResponses"] == 1
    assert refused.custom_status["lastInvalidResponse"] == "only the requester may cancel the request"

    decided = history.episode(history.raised(EVENT, APPROVE))
    done = history.episode(history.completed(decided.new("process_approval"), None))
    assert done.output["status"] == "Approved"


def test_an_api_cancellation_must_name_the_requester_of_a_request_made_over_the_api(history):
    sent(history)
    wrong = history.episode(history.raised(EVENT, {"cancel": True, "by": "mallory@company.com"}))
    assert wrong.custom_status["invalidResponses"] == 1
    assert not wrong.activity_calls("cancel_approval")

    right = history.episode(history.raised(EVENT, {"cancel": True, "by": " Alice@Company.com "}))
    done = history.episode(history.completed(right.new("cancel_approval"), None))
    assert done.output["status"] == "Cancelled"
    assert done.output["cancellation"]["via"] == "api"
    assert "cancelledBy" not in done.output["cancellation"]


def test_an_api_cancellation_of_a_request_made_in_a_chat_is_refused(handle):
    in_slack = ApprovalRequest(amount=10, requester="alice", requester_account=Person.slack("U0ALICE", "alice"),
                               origin=SLACK, front_ends=(SLACK,))
    history = History(handle=handle, instance_id=INSTANCE_ID, input=json.dumps(in_slack.to_input()), now=T0)
    sent(history)
    refused = history.episode(history.raised(EVENT, {"cancel": True, "by": "alice"}))
    assert refused.custom_status["invalidResponses"] == 1
    assert not refused.activity_calls("cancel_approval")


@pytest.mark.parametrize("payload", [
    {"cancel": "true", "by": "alice", "cancelledBy": ALICE},
    {"cancel": False, "by": "alice", "cancelledBy": ALICE},
    {"cancel": True, "cancelledBy": ALICE},
    {"cancel": True, "by": "alice", "cancelledBy": ALICE, "approved": True},
    {"cancel": True, "by": "alice", "cancelledBy": {"platform": "slack", "id": "not an id"}},
])
def test_a_malformed_cancellation_is_invalid_and_never_approves(history, payload):
    sent(history)
    garbled = history.episode(history.raised(EVENT, payload))
    assert garbled.custom_status["invalidResponses"] == 1
    assert not garbled.activity_calls("cancel_approval")
    assert not garbled.activity_calls("process_approval")


@pytest.mark.filterwarnings("ignore:Potential duplicate Task completion")
def test_a_decision_racing_a_cancellation_wins_when_it_comes_first(history):
    sent(history)
    decided = history.episode(history.raised(EVENT, APPROVE), history.raised(EVENT, CANCEL))
    assert not decided.activity_calls("cancel_approval")
    done = history.episode(history.completed(decided.new("process_approval"), None))
    assert done.output["status"] == "Approved"
    assert not done.activity_calls("cancel_approval")


@pytest.mark.filterwarnings("ignore:Potential duplicate Task completion")
def test_a_cancellation_racing_a_decision_wins_when_it_comes_first(history):
    sent(history)
    cancelled = history.episode(history.raised(EVENT, CANCEL), history.raised(EVENT, APPROVE))
    assert not cancelled.activity_calls("process_approval")
    done = history.episode(history.completed(cancelled.new("cancel_approval"), None))
    assert done.output["status"] == "Cancelled"
    assert not done.activity_calls("process_approval")


@pytest.mark.filterwarnings("ignore:Potential duplicate Task completion")
def test_a_cancellation_after_the_deadline_changes_nothing(history):
    waiting = sent(history)
    escalating = history.episode(history.fired(waiting.timers()[0]), after=timedelta(minutes=15))
    late = history.episode(history.raised(EVENT, CANCEL))
    assert not late.new_actions
    done = history.episode(history.completed(escalating.new("escalate_approval"), None))
    assert done.output["status"] == "Escalated"


def test_a_cancellation_while_the_request_is_sent_waits_for_the_message(history):
    first = start(history)
    early = history.episode(history.raised(EVENT, CANCEL))
    assert not early.new_actions, "cancel_approval needs the posted message, so it waits for the send"
    after_send = history.episode(history.completed(first.new("send_approval_request"), MESSAGE))
    assert not after_send.timers(), "nothing is left to wait for"
    notify = after_send.new("cancel_approval")
    assert notify.input["message"] == MESSAGE
    done = history.episode(history.completed(notify, None))
    assert done.output["status"] == "Cancelled"
