"""Reading the body of POST /api/human_interaction."""

import json

import pytest

from bot.approvals import ApprovalRequest, InvalidRequest
from bot.http_api.start_body import parse_start_body


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def test_the_readme_body():
    request = parse_start_body(
        body(request_type="expense_approval", amount=5000, timeout_minutes=15,
             requester="alice@company.com", description="Conference attendance expenses"), ("slack",)
    )
    assert request == ApprovalRequest(
        request_type="expense_approval", amount=5000.0, timeout_seconds=900,
        requester="alice@company.com", description="Conference attendance expenses",
    )


@pytest.mark.parametrize("raw", [b"", b"  ", b"{}"])
def test_no_fields_means_all_defaults(raw):
    assert parse_start_body(raw) == ApprovalRequest(front_ends=())
    assert parse_start_body(raw).timeout_seconds == 600


@pytest.mark.parametrize(
    "fields, seconds",
    [({"timeout_seconds": 10}, 10), ({"timeout_seconds": 10.0}, 10), ({"timeout_minutes": 0.5}, 30),
     ({"timeout_minutes": 8640}, 518400), ({"timeout_seconds": 518400}, 518400)],
)
def test_timeouts_in_minutes_or_seconds(fields, seconds):
    assert parse_start_body(body(**fields)).timeout_seconds == seconds


def test_a_caller_can_not_claim_a_chat_account_for_the_requester():
    with pytest.raises(InvalidRequest) as caught:
        parse_start_body(body(requester_slack_id="U0ALICE"))
    assert caught.value.field == "requester_slack_id"
    request = parse_start_body(body(requester="alice@company.com"), ("slack",))
    assert request.requester_account is None and request.origin == "api" and request.front_ends == ("slack",)


@pytest.mark.parametrize("field", ["amount", "timeout_minutes", "timeout_seconds"])
def test_a_number_with_hundreds_of_digits_is_refused_naming_its_field(field):
    with pytest.raises(InvalidRequest) as caught:
        parse_start_body(b'{"%s": %s}' % (field.encode(), b"9" * 400))
    assert caught.value.field == field


@pytest.mark.parametrize(
    "raw, field",
    [
        (b"nope", "body"),
        (b"null", "body"),
        (body(timeout_minutes=0.001), "timeout_minutes"),
        (body(timeout_minutes=8641), "timeout_minutes"),
        (body(timeout_seconds=518401), "timeout_seconds"),
        (body(timeout_seconds=None), "timeout_seconds"),
        (body(amount=None, colour="red"), "colour"),
    ],
)
def test_bad_bodies_name_the_field(raw, field):
    with pytest.raises(InvalidRequest) as caught:
        parse_start_body(raw)
    assert caught.value.field == field
