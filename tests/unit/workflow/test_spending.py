"""The month-to-date state: each approval counted once, keys per requester and UTC month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from bot.approvals import ApprovalRequest
from bot.people import Person
from bot.workflow import spending

DEC = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)


def test_each_approval_id_counts_once():
    state = spending.added({}, spending.add_input("approval-a", 120))
    state = spending.added(state, spending.add_input("approval-b", 80.5))
    again = spending.added(state, spending.add_input("approval-a", 120))
    assert again == state
    assert spending.total(again) == 200.5


def test_the_total_does_not_depend_on_the_order_amounts_arrive_in():
    amounts = {f"approval-{i}": 0.1 * (i + 1) for i in range(30)}
    forward, backward = {}, {}
    for key, amount in amounts.items():
        forward = spending.added(forward, {"approvalId": key, "amount": amount})
    for key, amount in reversed(list(amounts.items())):
        backward = spending.added(backward, {"approvalId": key, "amount": amount})
    assert spending.total(forward) == spending.total(backward) == forward["total"]


def test_inputs_naming_no_approval_or_no_positive_amount_change_nothing():
    state = spending.added({}, spending.add_input("approval-a", 10))
    for bad in (None, "10", {"amount": 5}, {"approvalId": "", "amount": 5},
                {"approvalId": "approval-b", "amount": -5}, {"approvalId": "approval-b", "amount": True},
                {"approvalId": "approval-b", "amount": float("nan")}, {"approvalId": "approval-b"}):
        assert spending.added(state, bad) == state
    assert spending.total(None) == 0 and spending.total("garbage") == 0


def test_a_chat_account_is_the_requester_whatever_name_it_typed():
    one = ApprovalRequest(amount=5, requester="Ann", requester_account=Person.slack("U0ANN"))
    other = ApprovalRequest(amount=5, requester="Someone else", requester_account=Person.slack("U0ANN"))
    assert spending.entity_key(one, DEC) == spending.entity_key(other, DEC) == "slack:U0ANN:2026-12"
    teams = ApprovalRequest(amount=5, requester="Ann", requester_account=Person("teams", "29:1abc"))
    assert spending.requester_key(teams) == "teams:29:1abc"


def test_typed_names_are_one_person_whatever_their_case_and_spacing():
    plain = ApprovalRequest(amount=5, requester="Ann Lee")
    spaced = ApprovalRequest(amount=5, requester="  ann   LEE ")
    assert spending.requester_key(plain) == spending.requester_key(spaced) == "name:ann_20_lee"
    assert spending.requester_key(ApprovalRequest(amount=5, requester="slack:U0ANN")) != "slack:U0ANN"


def test_keys_stay_safe_in_a_url_path():
    key = spending.requester_key(ApprovalRequest(amount=5, requester="a/b?c#d%e ü"))
    assert all(ch.isascii() and (ch.isalnum() or ch in "_.:@-") for ch in key)
    assert spending.requester_key(ApprovalRequest(amount=5, requester="a_2f_b")) != \
        spending.requester_key(ApprovalRequest(amount=5, requester="a/b"))


def test_the_month_is_the_utc_month():
    assert spending.month_of(DEC) == "2026-12"
    assert spending.month_of(DEC + timedelta(hours=1)) == "2027-01"
    east = datetime(2027, 1, 1, 5, 0, tzinfo=timezone(timedelta(hours=8)))
    assert spending.month_of(east) == "2026-12"
