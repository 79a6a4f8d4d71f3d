"""The approval orchestrator, replayed through the real SDK handle from hand-built history."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta

import pytest

from bot.approvals import ApprovalRequest
from bot.people import Person
from bot.workflow.orchestrator import MAX_INVALID_RESPONSES
from tests.unit.workflow.history import CALL_ACTIVITY_WITH_RETRY, History, OrchestratorFailed

T0 = datetime(2025, 9, 19, 16, 0, 0, tzinfo=UTC)
INSTANCE_ID = "0123456789abcdef0123456789abcdef"
APPROVAL_ID = "approval-" + INSTANCE_ID
REQUEST = ApprovalRequest(
    amount=5000,
    requester="alice@company.com",
    requester_account=Person.slack("U0ALICE", "alice"),
    description="Conference attendance expenses",
    timeout_seconds=15 * 60,
)
MESSAGE = {"channel": "C0APPROVE", "ts": "1700000000.000100", "requesterSlackId": "U0ALICE", "permalink": None,
           "requesterAccount": {"platform": "slack", "id": "U0ALICE", "name": ""}}
APPROVE = {"approved": True, "comments": "Approved by manager", "approver": "manager@company.com"}
DENY = {"approved": False, "comments": "Insufficient justification", "approver": "manager@company.com"}
EVENT = "approval_response"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def history(handle) -> History:
    return History(handle=handle, instance_id=INSTANCE_ID, input=json.dumps(REQUEST.to_input()), now=T0)


def start(history: History):
    """First episode: the request goes out while a wait for the decision is already open."""
    return history.episode(history.started("approval_workflow"), after=timedelta(0))


def sent(history: History):
    """Start, and let send_approval_request finish with a Slack message reference."""
    first = start(history)
    return history.episode(history.completed(first.new("send_approval_request"), MESSAGE))


def test_start_sends_the_request_with_retry_and_listens_at_once(history):
    first = start(history)

    assert not first.done
    send = first.new("send_approval_request")
    assert send.kind == CALL_ACTIVITY_WITH_RETRY
    assert send.action["retryOptions"] == {"firstRetryIntervalInMilliseconds": 2000, "maxNumberOfAttempts": 8}
    assert send.input == {
        "approvalId": APPROVAL_ID,
        "instanceId": INSTANCE_ID,
        "request": REQUEST.to_input(),
        "deadline": "2025-09-19T16:15:00Z",
        "frontEnd": "slack",
    }
    assert first.new(EVENT).task_id is None  # a wait, racing the send
    assert first.custom_status["stage"] == "sending_request"
    assert first.custom_status["approvalId"] == APPROVAL_ID


def test_after_sending_it_waits_with_one_timer_at_the_deadline(history):
    waiting = sent(history)

    assert not waiting.done
    [timer] = waiting.timers()
    assert timer.action["fireAt"].startswith("2025-09-19T16:15:00")
    assert timer.action["isCanceled"] is False
    assert waiting.custom_status == {
        "stage": "waiting_for_approval",
        "approvalId": APPROVAL_ID,
        "deadline": "2025-09-19T16:15:00Z",
        "message": MESSAGE,
        "messages": {"slack": MESSAGE},
        "requester": {"platform": "slack", "id": "U0ALICE", "name": "alice"},
        "requesterSlackId": "U0ALICE",
        "invalidResponses": 0,
        "lastInvalidResponse": None,
    }


def test_the_requester_slack_id_resolved_when_sending_is_shown(handle):
    anonymous = ApprovalRequest(requester="alice@company.com")
    history = History(handle=handle, instance_id=INSTANCE_ID, input=json.dumps(anonymous.to_input()), now=T0)
    first = start(history)
    assert first.custom_status["requesterSlackId"] is None
    waiting = history.episode(history.completed(first.new("send_approval_request"), MESSAGE))
    assert waiting.custom_status["requesterSlackId"] == "U0ALICE"


def test_slack_not_configured_means_no_message(history):
    first = start(history)
    waiting = history.episode(history.completed(first.new("send_approval_request"), None))
    assert waiting.custom_status["stage"] == "waiting_for_approval"
    assert waiting.custom_status["message"] is None


def test_an_approval_cancels_the_timer_and_is_processed(history):
    sent(history)
    decided = history.episode(history.raised(EVENT, APPROVE), after=timedelta(minutes=3))
    decided_at = "2025-09-19T16:03:01Z"

    [timer] = decided.timers()
    assert timer.action["isCanceled"] is True
    process = decided.new("process_approval")
    assert process.kind == CALL_ACTIVITY_WITH_RETRY
    assert process.input == {
        "approvalId": APPROVAL_ID,
        "request": REQUEST.to_input(),
        "decision": {**APPROVE, "timestamp": decided_at, "via": "api"},
        "frontEnd": "slack",
        "message": MESSAGE,
    }
    assert decided.custom_status["stage"] == "processing_decision"
    assert decided.custom_status["outcome"]["status"] == "Approved", "the outcome is fixed before notifying"
    assert not decided.done

    done = history.episode(history.completed(process, None))
    assert done.done
    assert done.output == {
        "requestType": "ExpenseApproval",
        "status": "Approved",
        "approval": {**APPROVE, "timestamp": decided_at, "via": "api"},
        "approvalId": APPROVAL_ID,
        "amount": 5000.0,
        "requester": "alice@company.com",
        "description": "Conference attendance expenses",
        "decidedAt": decided_at,
    }
    assert done.custom_status["stage"] == "done"
    assert done.custom_status["outcome"] == done.output
    assert done.timers()[0].action["isCanceled"] is True


def test_a_denial_sent_as_a_raw_json_object_is_processed(history):
    sent(history)
    decided = history.episode(history.raised(EVENT, DENY, by_python_client=False))
    done = history.episode(history.completed(decided.new("process_approval"), None))

    assert done.output["status"] == "Denied"
    assert done.output["approval"]["approved"] is False
    assert done.output["approval"]["comments"] == "Insufficient justification"


def test_no_decision_before_the_deadline_escalates(history):
    waiting = sent(history)
    [timer] = waiting.timers()
    history.advance(timedelta(minutes=15))
    escalating = history.episode(history.fired(timer))

    escalate = escalating.new("escalate_approval")
    assert escalate.input == {
        "approvalId": APPROVAL_ID,
        "request": REQUEST.to_input(),
        "deadline": "2025-09-19T16:15:00Z",
        "frontEnd": "slack",
        "message": MESSAGE,
    }
    assert escalating.custom_status["stage"] == "escalating"
    assert not escalating.activity_calls("process_approval")

    done = history.episode(history.completed(escalate, None))
    assert done.done
    assert done.output == {
        "requestType": "ExpenseApproval",
        "status": "Escalated",
        "reason": "No response within timeout period",
        "escalation": "Sent to senior management",
        "timeoutMinutes": 15,
        "approvalId": APPROVAL_ID,
        "amount": 5000.0,
        "requester": "alice@company.com",
        "description": "Conference attendance expenses",
        "timeoutSeconds": 900,
        "escalatedAt": "2025-09-19T16:15:02Z",
    }


def test_a_decision_raised_before_the_first_episode_is_taken(history):
    first = history.episode(history.started("approval_workflow"), history.raised(EVENT, APPROVE), after=timedelta(0))
    assert not first.done
    assert first.custom_status["stage"] == "sending_request"

    after_send = history.episode(history.completed(first.new("send_approval_request"), MESSAGE))
    assert not after_send.timers(), "no wait is left, so no deadline timer"
    process = after_send.new("process_approval")
    assert process.input["message"] == MESSAGE
    done = history.episode(history.completed(process, None))
    assert done.output["status"] == "Approved"
    assert done.output["approval"]["timestamp"] == "2025-09-19T16:00:00Z"


def test_a_decision_arriving_while_the_request_is_sent_waits_for_the_message(history):
    first = start(history)
    early = history.episode(history.raised(EVENT, DENY))
    assert not early.new_actions, "process_approval needs the message, so it waits for the send"

    after_send = history.episode(history.completed(first.new("send_approval_request"), MESSAGE))
    done = history.episode(history.completed(after_send.new("process_approval"), None))
    assert done.output["status"] == "Denied"
    assert done.output["approval"]["timestamp"] == "2025-09-19T16:00:01Z"


def test_a_garbled_payload_is_recorded_and_never_decides(history):
    sent(history)
    garbled = history.episode(history.raised(EVENT, {"approved": "yes", "approver": "mallory"}))

    assert not garbled.done
    assert not garbled.activity_calls("process_approval")
    assert garbled.timers()[0].action["isCanceled"] is False
    assert garbled.custom_status["stage"] == "waiting_for_approval"
    assert garbled.custom_status["invalidResponses"] == 1
    assert garbled.custom_status["lastInvalidResponse"] == "approved must be true or false"

    decided = history.episode(history.raised(EVENT, APPROVE))
    done = history.episode(history.completed(decided.new("process_approval"), None))
    assert done.output["status"] == "Approved"
    assert done.output["invalidResponses"] == 1


@pytest.mark.parametrize("stored_input", [None, "42", "true", '"null"', '"not json"', "[]"])
def test_payloads_that_are_not_objects_are_invalid(history, stored_input):
    sent(history)
    garbled = history.episode(history.raised_raw(EVENT, stored_input))
    assert not garbled.done
    assert garbled.custom_status["invalidResponses"] == 1
    assert not garbled.activity_calls("process_approval")


def test_a_garbled_payload_raised_during_sending_is_not_seen_again(history):
    """SDK issue #507: a buffered event is handed to every later wait. None is ever buffered here."""
    first = start(history)
    garbled = history.episode(history.raised(EVENT, "garbage"))
    assert garbled.custom_status["invalidResponses"] == 1

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Potential duplicate Task completion" would mean buffering
        waiting = history.episode(history.completed(first.new("send_approval_request"), MESSAGE))
    assert waiting.custom_status["stage"] == "waiting_for_approval"
    assert waiting.custom_status["invalidResponses"] == 1
    assert len(waiting.timers()) == 1

    decided = history.episode(history.raised(EVENT, APPROVE))
    done = history.episode(history.completed(decided.new("process_approval"), None))
    assert done.output["status"] == "Approved"


@pytest.mark.filterwarnings("ignore:Potential duplicate Task completion")
def test_a_second_decision_after_the_first_changes_nothing(history):
    sent(history)
    decided = history.episode(history.raised(EVENT, APPROVE))
    process = decided.new("process_approval")

    again = history.episode(history.raised(EVENT, DENY))
    assert not again.new_actions
    assert len(again.activity_calls("process_approval")) == 1

    done = history.episode(history.completed(process, None))
    assert done.output["status"] == "Approved"
    assert len(done.activity_calls("process_approval")) == 1
    assert not done.activity_calls("escalate_approval")


@pytest.mark.filterwarnings("ignore:Potential duplicate Task completion")
def test_two_decisions_in_one_episode_take_the_first(history):
    sent(history)
    decided = history.episode(history.raised(EVENT, DENY), history.raised(EVENT, APPROVE))
    done = history.episode(history.completed(decided.new("process_approval"), None))
    assert done.output["status"] == "Denied"


@pytest.mark.filterwarnings("ignore:Potential duplicate Task completion")
def test_the_timer_firing_after_a_decision_is_ignored(history):
    waiting = sent(history)
    [timer] = waiting.timers()
    decided = history.episode(history.raised(EVENT, APPROVE))
    late = history.episode(history.fired(timer), after=timedelta(minutes=20))
    assert not late.new_actions
    done = history.episode(history.completed(decided.new("process_approval"), None))
    assert done.output["status"] == "Approved"


@pytest.mark.filterwarnings("ignore:Potential duplicate Task completion")
def test_after_too_many_invalid_payloads_only_the_deadline_counts(history):
    waiting = sent(history)
    [timer] = waiting.timers()
    flood = [history.raised(EVENT, {"approved": "no"}) for _ in range(MAX_INVALID_RESPONSES + 5)]
    flooded = history.episode(*flood)
    assert flooded.custom_status["invalidResponses"] == MAX_INVALID_RESPONSES

    ignored = history.episode(history.raised(EVENT, APPROVE))
    assert not ignored.activity_calls("process_approval")

    escalating = history.episode(history.fired(timer), after=timedelta(minutes=15))
    done = history.episode(history.completed(escalating.new("escalate_approval"), None))
    assert done.output["status"] == "Escalated"
    assert done.output["invalidResponses"] == MAX_INVALID_RESPONSES


def test_a_send_that_fails_every_retry_fails_the_instance_with_the_slack_error(history):
    first = start(history)
    reason = "Activity function 'send_approval_request' failed: SlackApiError: channel_not_found"
    with pytest.raises(OrchestratorFailed) as failure:
        history.exhaust_retries(first.new("send_approval_request"), 8, reason)

    assert "send_approval_request failed after 8 attempts" in failure.value.reason
    assert "channel_not_found" in failure.value.reason
    assert failure.value.state["customStatus"]["notificationError"] == reason
    assert "outcome" not in failure.value.state["customStatus"]


def test_a_front_end_that_can_not_post_until_someone_acts_fails_the_instance_at_once(history):
    first = start(history)
    reason = "Slack chat.postMessage failed: not_in_channel: invite the app"
    with pytest.raises(OrchestratorFailed) as failure:
        history.episode(history.completed(first.new("send_approval_request"), {"notPosted": reason}))
    assert reason in failure.value.reason
    assert failure.value.state["customStatus"]["notificationError"] == reason
    assert failure.value.state["customStatus"]["message"] is None


def test_a_failing_escalation_fails_the_instance_but_keeps_the_outcome(history):
    waiting = sent(history)
    escalating = history.episode(history.fired(waiting.timers()[0]), after=timedelta(minutes=15))
    with pytest.raises(OrchestratorFailed) as failure:
        history.exhaust_retries(escalating.new("escalate_approval"), 8, "Activity function 'escalate_approval' failed: boom")

    assert "escalate_approval failed after 8 attempts" in failure.value.reason
    custom = failure.value.state["customStatus"]
    assert custom["outcome"]["status"] == "Escalated"
    assert custom["notificationError"].endswith("boom")


def test_a_failing_decision_update_fails_the_instance_but_keeps_the_decision(history):
    waiting = sent(history)
    decided = history.episode(history.raised(EVENT, APPROVE))
    with pytest.raises(OrchestratorFailed) as failure:
        history.exhaust_retries(decided.new("process_approval"), 8, "Activity function 'process_approval' failed: ratelimited")

    assert failure.value.state["customStatus"]["outcome"]["status"] == "Approved"
    assert waiting.timers()[0].action["isCanceled"] is True


def test_an_invalid_input_fails_the_orchestration(handle):
    history = History(handle=handle, instance_id=INSTANCE_ID, input=json.dumps({"amount": -1}), now=T0)
    with pytest.raises(AssertionError, match="amount"):
        start(history)
