"""The modals, checked with slack_sdk's View model."""

import json

from bot.approvals import ApprovalRequest
from bot.slack.modals import (
    DenyTarget,
    deny_reason_modal,
    new_request_modal,
    notice_modal,
    submitted_value,
)
from testkit.blockkit import assert_valid_view


def test_the_new_request_form_asks_for_amount_type_description_and_timeout() -> None:
    view = new_request_modal().to_dict()
    assert_valid_view(view)
    assert view["callback_id"] == "new_expense_request"
    inputs = [block["block_id"] for block in view["blocks"] if block["type"] == "input"]
    assert inputs == ["amount", "request_type", "description", "timeout"]


def test_the_deny_form_requires_a_reason_and_remembers_its_message() -> None:
    target = DenyTarget("approval-abc", "CAPPROVE", "1700000000.000001")
    view = deny_reason_modal(target, ApprovalRequest(amount=10.0, description="Pens")).to_dict()
    assert_valid_view(view)
    assert view["callback_id"] == "deny_reason"
    reason = next(block for block in view["blocks"] if block.get("block_id") == "reason")
    assert reason["type"] == "input" and not reason.get("optional") and reason["element"]["min_length"] == 1
    assert DenyTarget.from_metadata(view["private_metadata"]) == target
    assert len(view["private_metadata"]) <= 3000


def test_garbled_metadata_is_not_a_target() -> None:
    assert DenyTarget.from_metadata("not json") is None
    assert DenyTarget.from_metadata(json.dumps({"channel": "C1"})) is None
    assert DenyTarget.from_metadata(None) is None


def test_long_notice_titles_are_cut_to_slacks_limit() -> None:
    assert_valid_view(notice_modal("A title that is far too long for Slack", "text").to_dict())


def test_submitted_values_are_read_from_text_and_selects() -> None:
    view = {"state": {"values": {
        "amount": {"value": {"type": "plain_text_input", "value": "12"}},
        "timeout": {"value": {"type": "static_select", "selected_option": {"value": "3600"}}},
        "description": {"value": {"type": "plain_text_input", "value": None}},
    }}}
    assert submitted_value(view, "amount") == "12"
    assert submitted_value(view, "timeout") == "3600"
    assert submitted_value(view, "description") is None
    assert submitted_value(view, "missing") is None
    assert submitted_value({"state": "garbage"}, "amount") is None
