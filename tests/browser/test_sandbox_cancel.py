"""The requester changes their mind, in a real browser: Cancel request on their confirmation."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.test_sandbox_approvals import request_expense

pytestmark = [pytest.mark.browser, pytest.mark.asyncio]


async def test_the_requester_cancels_and_the_approvers_can_no_longer_decide(ui):
    request = await request_expense(ui, "/expense 480 Standing desk")
    confirmation = ui.ephemeral("Approval ID")
    await ui.switch_to("U0BOB")
    await expect(ui.page.get_by_role("button", name="Cancel request")).to_have_count(0)  # Alice's alone

    await ui.switch_to("U0ALICE")
    await confirmation.get_by_role("button", name="Cancel request").click()
    await expect(ui.ephemeral("You cancelled your request")).to_be_visible()
    await expect(ui.page.get_by_role("button", name="Cancel request")).to_have_count(0)
    await expect(request).to_contain_text("Cancelled")
    await expect(request.get_by_role("button")).to_have_count(0)

    await ui.switch_to("U0BOB")
    await expect(request).to_contain_text("Cancelled by")
    await expect(request.get_by_role("button")).to_have_count(0)
    await ui.switch_to("U0ALICE")
    await ui.open_channel("Expense Approvals")
    await expect(ui.message("was Cancelled")).to_contain_text("Standing desk")
