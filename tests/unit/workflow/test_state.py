"""Reading where an approval stands from the durable status JSON (parsed by the SDK's own class)."""

import json
from typing import Any

import pytest
from azure.durable_functions.models.DurableOrchestrationStatus import DurableOrchestrationStatus

from bot.approvals import ApprovalRequest
from bot.people import Person
from bot.slack.deciding import closed_text
from bot.workflow.state import Stage, classify

ALICE = Person.slack("UALICE")
BOB = Person.slack("UBOB")
REQUEST = ApprovalRequest(amount=5.0, requester="alice", requester_account=ALICE, description="Pens").to_input()
APPROVED = {"requestType": "ExpenseApproval", "status": "Approved",
            "approval": {"approved": True, "approver": "bob", "comments": "", "timestamp": "2026-11-26T10:00:00Z",
                         "slackUserId": "UBOB"}}
ESCALATED = {"requestType": "ExpenseApproval", "status": "Escalated", "reason": "No response within timeout period"}


def _status(runtime: str | None, *, stage: str = "waiting_for_approval", output: Any = None,
            outcome: Any = None, as_text: bool = False) -> DurableOrchestrationStatus:
    custom = {"stage": stage, "approvalId": "approval-x", "deadline": "2026-11-26T10:10:00Z", "message": None,
              "requesterSlackId": "UALICE", "invalidResponses": 0, "lastInvalidResponse": None}
    if outcome is not None:
        custom["outcome"] = outcome
    data: dict[str, Any] = {"name": "approval_workflow", "instanceId": "x", "input": json.dumps(REQUEST),
                            "customStatus": json.dumps(custom) if as_text else custom,
                            "output": json.dumps(output) if as_text and output else output,
                            "createdTime": "2026-11-26T10:00:00Z", "lastUpdatedTime": "2026-11-26T10:00:00Z"}
    if runtime is not None:
        data["runtimeStatus"] = runtime
    return DurableOrchestrationStatus.from_json(data)


def test_an_unknown_instance() -> None:
    assert classify(DurableOrchestrationStatus.from_json("Instance not found")).stage is Stage.UNKNOWN


@pytest.mark.parametrize("stage", ["sending_request", "waiting_for_approval"])
def test_a_waiting_request_is_open_and_knows_its_requester(stage: str) -> None:
    state = classify(_status("Running", stage=stage))
    assert state.stage is Stage.OPEN and state.requester == ALICE
    assert state.request is not None and state.request.description == "Pens"


@pytest.mark.parametrize("as_text", [False, True])
def test_a_decision_being_recorded_already_counts_as_decided(as_text: bool) -> None:
    state = classify(_status("Running", stage="processing_decision", outcome=APPROVED, as_text=as_text))
    assert state.stage is Stage.DECIDED and state.decided_by(BOB, approved=True)
    assert not state.decided_by(BOB, approved=False) and not state.decided_by(ALICE, approved=True)


@pytest.mark.parametrize("as_text", [False, True])
def test_completed_instances_are_read_from_their_output(as_text: bool) -> None:
    assert classify(_status("Completed", stage="done", output=APPROVED, as_text=as_text)).stage is Stage.DECIDED
    assert classify(_status("Completed", stage="done", output=ESCALATED, as_text=as_text)).stage is Stage.ESCALATED


def test_an_escalation_in_flight_is_escalated() -> None:
    assert classify(_status("Running", stage="escalating")).stage is Stage.ESCALATED
    assert classify(_status("Running", stage="escalating", outcome=ESCALATED)).stage is Stage.ESCALATED


def test_a_failed_instance_keeps_an_outcome_it_had_fixed() -> None:
    assert classify(_status("Failed", stage="processing_decision", outcome=APPROVED)).stage is Stage.DECIDED
    state = classify(_status("Failed", stage="sending_request"))
    assert state.stage is Stage.CLOSED and "ended without a decision" in closed_text(state)


def test_a_terminated_instance_is_closed() -> None:
    assert classify(_status("Terminated")).stage is Stage.CLOSED


CANCELLED = {"requestType": "ExpenseApproval", "status": "Cancelled",
             "cancellation": {"by": "alice", "reason": "", "timestamp": "2026-11-26T10:05:00Z", "via": "slack",
                              "cancelledBy": {"platform": "slack", "id": "UALICE", "name": "alice"}}}


@pytest.mark.parametrize("status", [
    _status("Completed", stage="done", output=CANCELLED),
    _status("Running", stage="cancelling", outcome=CANCELLED),
    _status("Failed", stage="cancelling", outcome=CANCELLED),
])
def test_a_cancelled_request_is_settled_and_says_who_cancelled(status: DurableOrchestrationStatus) -> None:
    state = classify(status)
    assert state.stage is Stage.CANCELLED and state.is_settled and not state.is_open
    assert state.cancelled_by(ALICE) and not state.cancelled_by(BOB)
    assert state.cancellation is not None and state.cancellation.cancelled_at is not None
    assert closed_text(state) == "This request was cancelled by its requester."
