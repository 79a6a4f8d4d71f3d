"""A person's view of the product, in a real browser: request, approve, deny, escalate, refuse."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.asyncio]

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "sandbox.png"
REQUEST = "Expense approval request"


async def request_expense(ui, line: str = "/expense 120 Team lunch"):
    await ui.open_as("U0ALICE")
    await ui.open_channel("expense-approvals")
    await ui.send(line)
    confirmation = ui.ephemeral("Approval ID")
    await expect(confirmation).to_be_visible()
    request = ui.message(REQUEST)
    await expect(request.get_by_role("button", name="Approve")).to_be_visible()
    return request


async def test_approver_approves_and_requester_gets_a_dm(ui, tmp_path):
    request = await request_expense(ui)
    await expect(request).to_contain_text("$120.00")
    await expect(request).to_contain_text("Team lunch")
    await ui.switch_to("U0BOB")
    await expect(ui.ephemeral("Approval ID")).to_have_count(0)  # Alice's confirmation stays hers
    await expect(request.get_by_role("button", name="Deny")).to_be_visible()
    shot = tmp_path / "sandbox.png"
    await ui.page.screenshot(path=shot)
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copyfile(shot, SCREENSHOT)
    await request.get_by_role("button", name="Approve").click()
    await expect(request).to_contain_text("Approved")
    await expect(request).to_contain_text("Bob Smith")
    await expect(request.get_by_role("button")).to_have_count(0)
    await ui.switch_to("U0ALICE")
    await ui.open_channel("Expense Approvals")
    await expect(ui.message("was Approved")).to_be_visible()


async def test_deny_asks_for_a_reason_and_refuses_an_empty_one(ui):
    request = await request_expense(ui, "/expense 75.50 Taxi to the airport")
    await ui.switch_to("U0CAROL")
    await request.get_by_role("button", name="Deny").click()
    await expect(ui.modal).to_be_visible()
    await expect(ui.modal).to_contain_text("Reason")
    await ui.modal.get_by_role("button", name="Deny").click()
    await expect(ui.modal.get_by_role("alert")).to_contain_text("Please complete this required field")
    await ui.modal.get_by_label("Reason").fill("   ")
    await ui.modal.get_by_role("button", name="Deny").click()
    await expect(ui.modal.get_by_role("alert")).to_be_visible()
    await expect(ui.modal.get_by_role("alert")).not_to_contain_text("Please complete this required field")
    await ui.modal.get_by_label("Reason").fill("Over this month's travel budget")
    await ui.modal.get_by_role("button", name="Deny").click()
    await expect(ui.modal).to_be_hidden()
    await expect(request).to_contain_text("Denied")
    await expect(request).to_contain_text("Over this month's travel budget")
    await expect(request.get_by_role("button")).to_have_count(0)
    await ui.switch_to("U0ALICE")
    await ui.open_channel("Expense Approvals")
    await expect(ui.message("was Denied")).to_contain_text("Over this month's travel budget")


async def test_a_missed_deadline_escalates_to_senior_management(ui, stack):
    request = await request_expense(ui, "/expense 300 Client dinner")
    await stack.host.advance(timedelta(minutes=11))
    await expect(request).to_contain_text("Expired")
    await expect(request.get_by_role("button")).to_have_count(0)
    await ui.switch_to("U0DANA")
    await ui.open_channel("senior-management")
    escalation = ui.message("Escalated")
    await expect(escalation).to_contain_text("$300.00")
    await expect(escalation).to_contain_text("Client dinner")
    await expect(escalation.get_by_role("link", name="View the original request")).to_be_visible()
    await ui.switch_to("U0ALICE")
    await ui.open_channel("Expense Approvals")
    await expect(ui.message("escalated to senior management")).to_be_visible()


async def test_requester_cannot_approve_their_own_request(ui):
    request = await request_expense(ui)
    await request.get_by_role("button", name="Approve").click()
    refusal = ui.ephemeral("your own request")
    await expect(refusal).to_be_visible()
    await expect(refusal).to_contain_text("Only visible to you")
    await expect(request.get_by_role("button", name="Approve")).to_be_visible()
    await ui.switch_to("U0BOB")
    await expect(ui.message("your own request")).to_have_count(0)
