"""The App Home tab in a real browser: a waiting request shows on the approver's Home, approved from there."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.test_sandbox_approvals import request_expense

pytestmark = [pytest.mark.browser, pytest.mark.asyncio]


async def test_an_approver_sees_the_waiting_request_on_their_home_tab_and_approves_it(ui):
    request = await request_expense(ui, "/expense 120 Team lunch")
    await ui.switch_to("U0BOB")
    await ui.page.get_by_role("link", name="Home · Expense Approvals").click()
    home = ui.page.get_by_role("region", name="Home tab")
    await expect(home).to_contain_text("Waiting for you (1)")
    await expect(home).to_contain_text("$120.00")
    await expect(home).to_contain_text("Team lunch")
    await expect(ui.page.get_by_role("textbox", name="Message", exact=True)).to_be_hidden()

    await home.get_by_role("button", name="Approve").click()
    await expect(home).to_contain_text("Approved")
    await expect(home).to_contain_text("Waiting for you (0)")
    await expect(home.get_by_role("button")).to_have_count(0)

    await ui.open_channel("expense-approvals")
    await expect(request).to_contain_text("Approved")
    await expect(request.get_by_role("button")).to_have_count(0)
    await ui.switch_to("U0ALICE")
    await ui.page.get_by_role("link", name="Home · Expense Approvals").click()
    await expect(ui.page.get_by_role("region", name="Home tab")).to_contain_text("Approved")
