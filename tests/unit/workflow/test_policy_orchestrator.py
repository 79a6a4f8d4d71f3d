"""The approval orchestrator under a policy, replayed through the real SDK handle: each stage in
order, a denial mid-way, reminders (and their cancellation by a decision), the escalation that
senior management decides, and the one they let pass."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.approvals import ApprovalRequest
from bot.people import Person
from bot.policy.model import Approvers, Route, Senior, Step
from tests.unit.workflow.history import History

T0 = datetime(2025, 9, 19, 16, 0, 0, tzinfo=UTC)
INSTANCE_ID = "fedcba9876543210fedcba9876543210"
APPROVAL_ID = "approval-" + INSTANCE_ID
MANAGER = Step("manager", Approvers({"slack": ("U0BOB",)}), 600)
FINANCE = Step("finance", Approvers({"slack": ("U0CAROL",)}), 1200)
ROUTE = Route(policy="finance-2026", tier="finance", reason="over $1,000: finance", stages=(MANAGER, FINANCE),
              reminders=(0.5,))
SENIOR = Senior(Approvers({"slack": ("U0DANA",)}), 300)
MESSAGE = {"channel": "C0APPROVE", "ts": "1700000000.000100", "requesterSlackId": "U0ALICE", "permalink": None}
ESCALATION = {"channel": "C0SENIOR", "ts": "1700000000.000200", "permalink": None}
EVENT = "approval_response"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def request(route: Route = ROUTE) -> ApprovalRequest:
    return ApprovalRequest(amount=5000, requester="alice@company.com", requester_account=Person.slack("U0ALICE"),
                           description="Conference", timeout_seconds=900, route=route)


def decision(approved: bool, stage: int | None, who: str = "bob") -> dict:
    payload = {"approved": approved, "approver": who, "comments": f"{who} says {approved}"}
    return payload if stage is None else {**payload, "stage": stage}


def history_for(handle, route: Route = ROUTE) -> History:
    return History(handle=handle, instance_id=INSTANCE_ID, input=json.dumps(request(route).to_input()), now=T0)


def sent(history: History):
    first = history.episode(history.started("approval_workflow"), after=timedelta(0))
    return history.episode(history.completed(first.new("send_approval_request"), MESSAGE))


def pending(episode, history: History) -> list[str]:
    """The timers still to fire: neither cancelled nor past."""
    now = history.now.strftime("%Y-%m-%dT%H:%M:%S")
    return sorted(t.action["fireAt"][:19] for t in episode.timers()
                  if not t.action["isCanceled"] and t.action["fireAt"][:19] > now)


def test_the_request_carries_its_tier_and_waits_for_the_first_stage_with_a_reminder(handle):
    history = history_for(handle)
    first = history.episode(history.started("approval_workflow"), after=timedelta(0))
    assert first.new("send_approval_request").input["request"]["route"]["tier"] == "finance"
    waiting = history.episode(history.completed(first.new("send_approval_request"), MESSAGE))

    assert pending(waiting, history) == ["2025-09-19T16:05:00", "2025-09-19T16:10:00"]  # reminder at half, deadline
    status = waiting.custom_status
    assert (status["tier"], status["policyStage"], status["stageName"], status["stagesDone"]) == \
        ("finance", 0, "manager", [])
    assert status["deadline"] == "2025-09-19T16:10:00Z"


def test_each_stage_in_order_then_approved_with_every_stage_recorded(handle):
    history = history_for(handle)
    sent(history)
    first = history.episode(history.raised(EVENT, decision(True, 0)), after=timedelta(minutes=2))
    advance = first.new("advance_approval_stage")
    assert advance.input["progress"]["current"] == 1
    assert advance.input["progress"]["done"][0]["stage"] == "manager"
    assert advance.input["message"] == MESSAGE
    assert first.custom_status["stageName"] == "finance"
    assert not any(a.name == "process_approval" for a in first.actions)

    second = history.episode(history.completed(advance, None))
    assert pending(second, history) == ["2025-09-19T16:12:01", "2025-09-19T16:22:01"]

    last = history.episode(history.raised(EVENT, decision(True, 1, "carol")), after=timedelta(minutes=1))
    process = last.new("process_approval")
    assert pending(last, history) == [], "every timer is cancelled once the last stage decides"
    done = history.episode(history.completed(process, None))
    assert done.output["status"] == "Approved"
    assert done.output["approval"]["approver"] == "carol"
    assert done.output["policy"] == {"name": "finance-2026", "tier": "finance", "reason": "over $1,000: finance"}
    assert [(s["stage"], s["approver"], s["approved"]) for s in done.output["stages"]] == \
        [("manager", "bob", True), ("finance", "carol", True)]
    assert {"requestType", "approvalId", "amount", "requester", "description", "decidedAt"} <= set(done.output)


def test_a_denial_mid_way_ends_the_request(handle):
    history = history_for(handle)
    sent(history)
    denied = history.episode(history.raised(EVENT, decision(False, 0)))
    assert not any(a.name == "advance_approval_stage" for a in denied.actions)
    done = history.episode(history.completed(denied.new("process_approval"), None))
    assert done.output["status"] == "Denied"
    assert [s["stage"] for s in done.output["stages"]] == ["manager"]


def test_a_late_decision_for_an_earlier_stage_decides_nothing(handle):
    history = history_for(handle)
    sent(history)
    first = history.episode(history.raised(EVENT, decision(True, 0)))
    second = history.episode(history.completed(first.new("advance_approval_stage"), None))
    again = history.episode(history.raised(EVENT, decision(True, 0)))  # bob clicked twice
    assert not again.done and again.new_actions[0].name == EVENT
    assert again.custom_status["invalidResponses"] == 1
    assert len(pending(again, history)) == len(pending(second, history))


def test_a_reminder_goes_out_once_at_its_point_and_the_deadline_still_counts(handle):
    history = history_for(handle)
    waiting = sent(history)
    reminder = min((t for t in waiting.timers()), key=lambda t: t.action["fireAt"])
    reminded = history.episode(history.fired(reminder), after=timedelta(minutes=5))
    remind = reminded.new("remind_approvers")
    assert remind.input["reminder"] == 1
    assert remind.input["message"] == MESSAGE
    assert remind.input["progress"]["current"] == 0
    after = history.episode(history.completed(remind, None))
    assert after.activity_calls("remind_approvers") == [remind]
    deadline = [t for t in after.timers() if t.action["fireAt"].startswith("2025-09-19T16:10:00")][0]
    escalated = history.episode(history.fired(deadline), after=timedelta(minutes=6))
    assert escalated.new("escalate_approval").input["progress"]["current"] == 0


def test_a_failing_reminder_is_given_up_and_the_request_still_stands(handle):
    history = history_for(handle)
    waiting = sent(history)
    reminder = min(waiting.timers(), key=lambda t: t.action["fireAt"])
    remind = history.episode(history.fired(reminder)).new("remind_approvers")
    after = history.exhaust_retries(remind, 8, "Slack chat.postMessage failed: fatal_error")
    assert not after.done
    decided = history.episode(history.raised(EVENT, decision(False, 0)))
    assert decided.new("process_approval")


def test_a_decision_cancels_the_pending_reminder(handle):
    history = history_for(handle)
    sent(history)
    decided = history.episode(history.raised(EVENT, decision(False, 0)), after=timedelta(minutes=1))
    assert pending(decided, history) == []
    assert all(t.action["isCanceled"] for t in decided.timers())
    done = history.episode(history.completed(decided.new("process_approval"), None), after=timedelta(hours=1))
    assert done.done
    assert done.activity_calls("remind_approvers") == []


def test_without_senior_review_a_passed_deadline_escalates_as_the_sample_does(handle):
    history = history_for(handle)
    waiting = sent(history)
    timers = sorted(waiting.timers(), key=lambda t: t.action["fireAt"])
    remind = history.episode(history.fired(timers[0])).new("remind_approvers")
    history.episode(history.completed(remind, None))
    escalated = history.episode(history.fired(timers[1]), after=timedelta(minutes=10))
    escalate = escalated.new("escalate_approval")
    done = history.episode(history.completed(escalate, None))
    assert done.output["status"] == "Escalated"
    assert done.output["reason"] == "No response within timeout period"
    assert (done.output["timeoutMinutes"], done.output["timeoutSeconds"]) == (10, 600), "the stage's own deadline"
    assert done.output["policy"]["tier"] == "finance"
    assert "decidedAfterEscalation" not in done.output


def senior_review(handle, on_timeout: str = "escalate"):
    route = Route(ROUTE.policy, ROUTE.tier, ROUTE.reason, (MANAGER,), senior=Senior(SENIOR.approvers, 300, on_timeout))
    history = history_for(handle, route)
    waiting = sent(history)
    [deadline] = waiting.timers()
    escalated = history.episode(history.fired(deadline), after=timedelta(minutes=10))
    escalate = escalated.new("escalate_approval")
    assert escalate.input["progress"]["current"] == 1, "past the last stage: senior management decides"
    assert escalated.custom_status["stage"] == "senior_review"
    reviewing = history.episode(history.completed(escalate, ESCALATION))
    return history, reviewing


def test_senior_management_decides_the_escalation(handle):
    history, reviewing = senior_review(handle)
    assert pending(reviewing, history) == ["2025-09-19T16:15:01"]
    assert reviewing.custom_status["escalations"] == {"slack": ESCALATION}
    decided = history.episode(history.raised(EVENT, decision(True, 1, "dana")))
    process = decided.new("process_approval")
    assert process.input["escalation"] == ESCALATION
    assert pending(decided, history) == []
    done = history.episode(history.completed(process, None))
    assert done.output["status"] == "Approved"
    assert done.output["decidedAfterEscalation"] is True
    assert done.output["stages"][-1]["stage"] == "senior management"
    assert done.output["approval"]["approver"] == "dana"


def test_senior_management_silent_too_leaves_the_sample_escalation(handle):
    history, reviewing = senior_review(handle)
    [timer] = [t for t in reviewing.timers() if t.action["fireAt"].startswith("2025-09-19T16:15")]
    closed = history.episode(history.fired(timer), after=timedelta(minutes=5))
    close = closed.new("close_escalation")
    assert close.input["escalation"] == ESCALATION
    done = history.episode(history.completed(close, None))
    assert done.output["status"] == "Escalated"
    assert done.output["decidedAfterEscalation"] is False


def test_senior_silence_is_a_denial_when_the_policy_says_so(handle):
    history, reviewing = senior_review(handle, on_timeout="deny")
    [timer] = [t for t in reviewing.timers() if t.action["fireAt"].startswith("2025-09-19T16:15")]
    closed = history.episode(history.fired(timer), after=timedelta(minutes=5))
    done = history.episode(history.completed(closed.new("close_escalation"), None))
    assert done.output["status"] == "Denied"
    assert done.output["approval"]["via"] == "policy"
    assert done.output["approval"]["approver"] == "approval policy"


def test_the_requester_cancels_in_the_second_stage_and_every_timer_is_cancelled(handle):
    history = history_for(handle)
    sent(history)
    first = history.episode(history.raised(EVENT, decision(True, 0)))
    history.episode(history.completed(first.new("advance_approval_stage"), None))
    cancel = {"cancel": True, "by": "alice", "cancelledBy": {"platform": "slack", "id": "U0ALICE", "name": ""}}
    cancelled = history.episode(history.raised(EVENT, cancel), after=timedelta(minutes=1))
    assert pending(cancelled, history) == []
    done = history.episode(history.completed(cancelled.new("cancel_approval"), None))
    assert done.output["status"] == "Cancelled"
    assert [s["stage"] for s in done.output["stages"]] == ["manager"]
    assert "decidedAfterEscalation" not in done.output
