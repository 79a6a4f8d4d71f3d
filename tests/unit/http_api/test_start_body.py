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
             requester="alice@company.com", description="Conference attendance expenses")
    )
    assert request == ApprovalRequest(
        request_type="expense_approval", amount=5000.0, timeout_seconds=900,
        requester="alice@company.com", description="Conference attendance expenses",
    )


@pytest.mark.parametrize("raw", [b"", b"  ", b"{}"])
def test_no_fields_means_all_defaults(raw):
    assert parse_start_body(raw) == ApprovalRequest()
    assert parse_start_body(raw).timeout_seconds == 600


@pytest.mark.parametrize(
    "fields, seconds",
    [({"timeout_seconds": 10}, 10), ({"timeout_seconds": 10.0}, 10), ({"timeout_minutes": 0.5}, 30),
     ({"timeout_minutes": 8640}, 518400), ({"timeout_seconds": 518400}, 518400)],
)
def test_timeouts_in_minutes_or_seconds(fields, seconds):
    assert parse_start_body(body(**fields)).timeout_seconds == seconds


def test_a_slack_requester_can_be_named():
    assert parse_start_body(body(requester_slack_id="U0ALICE")).requester_slack_id == "U0ALICE"


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
