"""Instance ids begin with who asked, so one prefix query finds a person's own requests or a
request typed again."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.approvals import ApprovalRequest
from bot.people import Person
from bot.workflow.instance_ids import named_prefix, new_instance_id, person_prefix
from bot.workflow.repeats import repeat_prefix, repeatable_id

ALICE = Person.slack("UALICE1", "alice")
BOB = Person.slack("UBOB1", "bob")
NOON = datetime(2026, 12, 1, 12, 0, 30, tzinfo=UTC)


def request(description: str = "Team lunch", amount: float = 120.0, account: Person | None = ALICE,
            requester: str = "alice") -> ApprovalRequest:
    return ApprovalRequest(request_type="expense_approval", amount=amount, requester=requester,
                           requester_account=account, description=description)


def test_every_id_is_32_hex_digits_like_the_durable_clients_own() -> None:
    for instance_id in (new_instance_id(request()), repeatable_id(request(), NOON),
                        new_instance_id(request(account=None, requester="someone@example.com"))):
        assert re.fullmatch(r"[0-9a-f]{32}", instance_id)


def test_a_persons_requests_share_their_prefix_and_no_one_elses() -> None:
    mine = [new_instance_id(request()), new_instance_id(request("Taxi", 30)), repeatable_id(request("Hotel"), NOON)]
    assert all(instance_id.startswith(person_prefix(ALICE)) for instance_id in mine)
    assert len(set(mine)) == 3
    assert not new_instance_id(request(account=BOB, requester="bob")).startswith(person_prefix(ALICE))


def test_a_request_over_http_carries_the_prefix_of_the_name_given_ignoring_case_and_spacing() -> None:
    made = new_instance_id(request(account=None, requester="  Alice@Example.com "))
    assert made.startswith(named_prefix("alice@example.com"))
    assert named_prefix("alice@example.com") != person_prefix(ALICE)


def test_the_same_request_typed_again_shares_the_repeat_prefix_in_every_minute() -> None:
    first = repeatable_id(request("Team  LUNCH"), NOON)
    again_same_minute = repeatable_id(request("team lunch"), NOON + timedelta(seconds=20))
    again_next_minute = repeatable_id(request("team lunch"), NOON + timedelta(seconds=50))

    assert first == again_same_minute
    assert again_next_minute != first
    assert {first[:24], again_next_minute[:24]} == {repeat_prefix(request())}
    assert not repeatable_id(request("team lunch", amount=121.0), NOON).startswith(repeat_prefix(request()))
    assert not repeatable_id(request(account=BOB, requester="bob"), NOON).startswith(repeat_prefix(request()))
