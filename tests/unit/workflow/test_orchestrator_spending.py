"""An Approved amount goes to the requester's month once: one signal in the episode that fixed
the outcome, none on any replay, none for a denial, an escalation or a request without amount."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.approvals import ApprovalRequest
from bot.people import Person
from tests.unit.workflow.history import Episode, History
from tests.unit.workflow.test_policy_orchestrator import decision, senior_review
from tests.unit.workflow.test_policy_orchestrator import history_for as policy_history

INSTANCE_ID = "00112233445566778899aabbccddeeff"
APPROVAL_ID = "approval-" + INSTANCE_ID
MESSAGE = {"channel": "C0APPROVE", "ts": "1700000000.000100", "permalink": None}
APPROVE = {"approved": True, "approver": "bob", "comments": ""}
DENY = {"approved": False, "approver": "bob", "comments": "no"}
EVENT = "approval_response"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def posted(handle, request: ApprovalRequest, start: datetime) -> tuple[History, Episode]:
    """The request posted and waiting: the history and the waiting episode."""
    history = History(handle=handle, instance_id=INSTANCE_ID, input=json.dumps(request.to_input()), now=start)
    first = history.episode(history.started("approval_workflow"), after=timedelta(0))
    return history, history.episode(history.completed(first.new("send_approval_request"), MESSAGE))


def sent(handle, request: ApprovalRequest, start: datetime) -> History:
    return posted(handle, request, start)[0]


def alice(amount: float | None = 250.0, month_to_date: float | None = 100.0) -> ApprovalRequest:
    return ApprovalRequest(amount=amount, requester="Alice", requester_account=Person.slack("U0ALICE"),
                           timeout_seconds=900, month_to_date=month_to_date)


def test_an_approval_signals_its_amount_to_the_month_it_was_decided_in(handle):
    history = sent(handle, alice(), datetime(2026, 11, 30, 23, 50, tzinfo=UTC))
    decided = history.episode(history.raised(EVENT, APPROVE), after=timedelta(minutes=11))
    [signal] = decided.signals()
    assert signal.action["instanceId"] == "@monthly_spend@slack:U0ALICE:2026-12"
    assert signal.action["operation"] == "add"
    assert signal.input == {"approvalId": APPROVAL_ID, "amount": 250.0}
    assert decided.actions.index(signal) < decided.actions.index(decided.new("process_approval")), \
        "counted before anyone is told"

    done = history.episode(history.completed(decided.new("process_approval"), None))
    assert done.done and done.output["status"] == "Approved"
    assert done.new_actions == [] and len(done.signals()) == 1, "the replay sends nothing again"


def test_a_typed_name_counts_when_there_is_no_chat_account(handle):
    request = ApprovalRequest(amount=40, requester="Ann  Lee", timeout_seconds=900)
    history = sent(handle, request, datetime(2026, 12, 3, tzinfo=UTC))
    [signal] = history.episode(history.raised(EVENT, APPROVE)).signals()
    assert signal.action["instanceId"] == "@monthly_spend@name:ann_20_lee:2026-12"


@pytest.mark.parametrize("request_, payload", [
    (alice(), DENY),
    (alice(amount=None), APPROVE),
], ids=["denied", "no amount"])
def test_nothing_is_counted_for_a_denial_or_a_request_without_amount(handle, request_, payload):
    history = sent(handle, request_, datetime(2026, 12, 3, tzinfo=UTC))
    decided = history.episode(history.raised(EVENT, payload))
    done = history.episode(history.completed(decided.new("process_approval"), None))
    assert done.done and done.signals() == []


def test_an_escalation_counts_nothing(handle):
    history, waiting = posted(handle, alice(), datetime(2026, 12, 3, tzinfo=UTC))
    [timer] = waiting.timers()
    escalating = history.episode(history.fired(timer), after=timedelta(minutes=15))
    done = history.episode(history.completed(escalating.new("escalate_approval"), None))
    assert done.done and done.output["status"] == "Escalated" and done.signals() == []


def test_the_month_to_date_read_at_start_travels_in_every_notice(handle):
    history = sent(handle, alice(month_to_date=1234.5), datetime(2026, 12, 3, tzinfo=UTC))
    decided = history.episode(history.raised(EVENT, APPROVE))
    assert decided.new("process_approval").input["request"]["monthToDate"] == 1234.5


def test_under_a_policy_every_stage_approved_counts_once(handle):
    history = policy_history(handle)
    first = history.episode(history.started("approval_workflow"), after=timedelta(0))
    history.episode(history.completed(first.new("send_approval_request"), MESSAGE))
    after_manager = history.episode(history.raised(EVENT, decision(True, 0)))
    assert after_manager.signals() == [], "one stage approved is not the outcome"
    history.episode(history.completed(after_manager.new("advance_approval_stage"), None))
    decided = history.episode(history.raised(EVENT, decision(True, 1, "carol")))
    [signal] = decided.signals()
    assert signal.input == {"approvalId": "approval-" + history.instance_id, "amount": 5000.0}


def test_approved_by_senior_management_after_the_escalation_counts(handle):
    history, _ = senior_review(handle)
    decided = history.episode(history.raised(EVENT, decision(True, 1, "dana")))
    assert len(decided.signals()) == 1
