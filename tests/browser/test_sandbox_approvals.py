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
    description = line.split(" ", 2)[2]
    request = ui.message(REQUEST).filter(has_text=description)
    await expect(request.get_by_role("button", name="Approve")).to_be_visible()
    return request


async def test_approver_approves_and_requester_gets_a_dm(ui):
    request = await request_expense(ui)
    await expect(request).to_contain_text("$120.00")
    await expect(request).to_contain_text("Team lunch")
    await ui.switch_to("U0BOB")
    await expect(ui.ephemeral("Approval ID")).to_have_count(0)  # Alice's confirmation stays hers
    await expect(request.get_by_role("button", name="Deny")).to_be_visible()
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
    link = escalation.get_by_role("link", name="View the original request")
    await expect(link).to_be_visible()
    await ui.page.goto(await link.get_attribute("href"))  # the permalink opens the original, highlighted
    await expect(ui.page.locator("article.message.highlight")).to_contain_text("Client dinner")
    await expect(ui.page.locator("#channel-title")).to_contain_text("expense-approvals")
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


async def test_deciding_one_request_leaves_the_next_one_open(ui, tmp_path):
    """Also the README's picture: Bob mid-way through the approvals queue."""
    first = await request_expense(ui, "/expense 120 Team lunch")
    await ui.send("/expense 1,250.50 Conference tickets")
    second = ui.message(REQUEST).filter(has_text="Conference tickets")
    await expect(second.get_by_role("button", name="Approve")).to_be_visible()
    await ui.switch_to("U0BOB")
    await first.get_by_role("button", name="Approve").click()
    await expect(first).to_contain_text("Approved")
    await expect(first.get_by_role("button")).to_have_count(0)
    await expect(second.get_by_role("button", name="Approve")).to_be_visible()
    await expect(second).to_contain_text("$1,250.50")
    shot = tmp_path / "sandbox.png"
    await ui.page.mouse.move(900, 700)  # no hover highlight in the picture
    await ui.page.screenshot(path=shot)
    assert shot.stat().st_size > 10_000
    if os.environ.get("UPDATE_SCREENSHOTS"):  # refresh docs/images/sandbox.png
        shutil.copyfile(shot, SCREENSHOT)


async def test_expense_alone_opens_the_form_and_its_submission_starts_a_request(ui):
    await ui.open_as("U0ALICE")
    await ui.open_channel("expense-approvals")
    await ui.send("/expense")
    form = ui.modal
    await expect(form).to_contain_text("Amount (USD)")
    await form.get_by_label("Amount (USD)").fill("twelve")
    await form.get_by_label("What is it for?").fill("Offsite snacks")
    await form.locator(".modal-submit").click()
    await expect(form.get_by_role("alert")).to_contain_text("twelve")  # the app says why it is not an amount
    await form.get_by_label("Amount (USD)").fill("250")
    await form.get_by_label("Escalate if nobody decides within").select_option(label="1 hour")
    await form.locator(".modal-submit").click()
    await expect(form).to_contain_text("Approval ID")  # the app updates the modal to a receipt
    await form.get_by_role("button", name="Close").click()
    await expect(form).to_be_hidden()
    request = ui.message(REQUEST).filter(has_text="Offsite snacks")
    await expect(request).to_contain_text("$250.00")
    await expect(request.get_by_role("button", name="Approve")).to_be_visible()
