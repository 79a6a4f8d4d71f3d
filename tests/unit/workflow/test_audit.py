"""The audit record of a decided request, read from its recorded outcome."""

import json
from typing import Any

from azure.durable_functions.models.DurableOrchestrationStatus import DurableOrchestrationStatus

from bot.approvals import ApprovalRequest
from bot.workflow.audit import FIELDS, audit_record
from bot.workflow.state import classify

REQUEST = ApprovalRequest(amount=75.5, requester="alice@company.com", description="Taxi").to_input()


def state(output: Any, runtime: str = "Completed", custom: Any = None):
    return classify(DurableOrchestrationStatus.from_json({
        "name": "approval_workflow", "instanceId": "abc123", "runtimeStatus": runtime, "input": json.dumps(REQUEST),
        "customStatus": custom, "output": output,
        "createdTime": "2026-11-20T09:00:00Z", "lastUpdatedTime": "2026-11-20T09:30:00Z"}))


def test_an_approved_request_exports_its_decision_and_times() -> None:
    record = audit_record(state({"status": "Approved", "decidedAt": "2026-11-20T09:05:00Z",
                                 "approval": {"approved": True, "approver": "bob", "comments": "fine",
                                              "timestamp": "2026-11-20T09:05:00Z"}}))
    assert record == {
        "approvalId": "approval-abc123", "instanceId": "abc123", "requestType": "ExpenseApproval",
        "requester": "alice@company.com", "amount": 75.5, "description": "Taxi", "outcome": "Approved",
        "approvers": ["bob"], "comments": ["fine"], "createdAt": "2026-11-20T09:00:00Z",
        "decidedAt": "2026-11-20T09:05:00Z", "policyTier": "",
    }
    assert tuple(record) == FIELDS


def test_an_unknown_outcome_with_stages_and_a_tier_still_exports() -> None:
    record = audit_record(state({
        "status": "Recalled", "policy": {"name": "finance-2026", "tier": "director", "reason": "over $1,000"},
        "stages": [{"stage": "lead", "approver": "lead", "approved": True, "comments": "ok",
                    "timestamp": "2026-11-20T09:01:00Z"},
                   {"stage": "director", "approver": "director", "approved": True, "comments": "",
                    "timestamp": "2026-11-20T09:06:00Z"}],
        "approval": {"approver": "director", "approved": True, "comments": "", "timestamp": "2026-11-20T09:06:00Z"},
        "somethingNew": [1, 2]}))
    assert record is not None
    assert (record["outcome"], record["decidedAt"], record["policyTier"]) == ("Recalled", "2026-11-20T09:06:00Z", "director")
    assert (record["approvers"], record["comments"]) == (["lead", "director"], ["ok"])


def test_a_cancelled_request_exports_its_reason_and_when_it_was_cancelled() -> None:
    record = audit_record(state({"status": "Cancelled", "cancelledAt": "2026-11-20T09:07:00Z",
                                 "cancellation": {"by": "alice", "reason": "No longer needed",
                                                  "timestamp": "2026-11-20T09:07:00Z", "via": "api"}}))
    assert record is not None
    assert (record["outcome"], record["decidedAt"]) == ("Cancelled", "2026-11-20T09:07:00Z")
    assert (record["approvers"], record["comments"]) == ([], ["No longer needed"])


def test_an_outcome_announced_while_the_notice_failed_is_exported_from_the_custom_status() -> None:
    custom = {"stage": "processing_decision", "approvalId": "approval-abc123", "deadline": None,
              "outcome": {"status": "Denied", "decidedAt": "2026-11-20T09:06:00Z",
                          "approval": {"approver": "carol", "approved": False, "comments": "no"}}}
    record = audit_record(state("Slack said no", runtime="Failed", custom=custom))
    assert record is not None and (record["outcome"], record["approvers"]) == ("Denied", ["carol"])


def test_a_waiting_request_has_no_record() -> None:
    custom = {"stage": "waiting_for_approval", "approvalId": "approval-abc123", "deadline": None}
    assert audit_record(state(None, runtime="Running", custom=custom)) is None
