"""An approval policy, seen in a real browser in the Slack sandbox: two stages in order with a
reminder in the thread, and senior management deciding an escalation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from devhost.testing import run_devhost
from slack_sandbox.testing import PROJECT_MANIFEST, run_sandbox
from tests.browser.conftest import ROOT, SlackPage, Stack

pytestmark = [pytest.mark.browser, pytest.mark.asyncio]

REQUEST = "Expense approval request"
POLICY = """\
name: sandbox
tiers:
  - name: finance
    label: "every amount: manager, then finance"
    stages:
      - {name: manager, approvers: {slack: [U0BOB]}, deadline: 10m}
      - {name: finance, approvers: {slack: [U0CAROL]}, deadline: 10m}
    reminders: [50%]
    senior:
      approvers: {slack: [U0DANA]}
      deadline: 1h
"""


@pytest.fixture
async def policy_stack(tmp_path: Path):
    (tmp_path / "policy.yaml").write_text(POLICY)
    async with run_sandbox(manifest=PROJECT_MANIFEST) as slack:
        env = {**slack.env(), "SKIP_SLACK_SDK_WARNING": "1", "APPROVAL_POLICY_FILE": str(tmp_path / "policy.yaml")}
        async with run_devhost(ROOT, env=env, virtual_clock=True) as host:
            slack.connect_app(host.base_url)
            yield Stack(slack, host)


@pytest.fixture
async def policy_ui(browser: Browser, policy_stack: Stack):
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    yield SlackPage(page, policy_stack.slack.base_url)
    await context.close()


async def request_expense(ui: SlackPage, line: str):
    await ui.open_as("U0ALICE")
    await ui.open_channel("expense-approvals")
    await ui.send(line)
    description = line.split(" ", 2)[2]
    request = ui.message(REQUEST).filter(has_text=description)
    await expect(request.get_by_role("button", name="Approve")).to_be_visible()
    return request


async def test_two_stages_in_order_with_a_reminder_in_the_thread(policy_ui, policy_stack):
    ui = policy_ui
    request = await request_expense(ui, "/expense 1,500 Laptops")
    await expect(request).to_contain_text("every amount: manager, then finance")
    await expect(request).to_contain_text("manager: waiting for")

    await ui.switch_to("U0CAROL")
    await request.get_by_role("button", name="Approve").click()
    await expect(ui.ephemeral("waiting for the manager approval")).to_be_visible()

    await ui.switch_to("U0BOB")
    await request.get_by_role("button", name="Approve").click()
    await expect(request).to_contain_text("manager: Approved by")
    await expect(request).to_contain_text("finance: waiting for")
    await expect(ui.page.locator("article.message.reply", has_text="Stage finance now needs")).to_be_visible()

    await policy_stack.host.settle()  # work in flight done first: the clock moves from a quiet host
    await policy_stack.host.advance(timedelta(minutes=6))
    reminder = ui.page.locator("article.message.reply", has_text="Reminder 1")
    await expect(reminder).to_be_visible()
    await expect(reminder).to_contain_text("Replied in thread")

    await ui.switch_to("U0CAROL")
    await request.get_by_role("button", name="Approve").click()
    await expect(request).to_contain_text("Approved")
    await expect(request).to_contain_text("finance: Approved by")
    await expect(request.get_by_role("button")).to_have_count(0)
    await policy_stack.host.settle()  # work in flight done first: the clock moves from a quiet host
    await policy_stack.host.advance(timedelta(hours=1))
    await expect(ui.page.locator("article.message.reply", has_text="Reminder")).to_have_count(1)


async def test_senior_management_decides_the_escalation(policy_ui, policy_stack):
    ui = policy_ui
    request = await request_expense(ui, "/expense 9000 Servers")
    await policy_stack.host.settle()  # work in flight done first: the clock moves from a quiet host
    await policy_stack.host.advance(timedelta(minutes=11))
    await expect(request).to_contain_text("Expired")
    await expect(request.get_by_role("button")).to_have_count(0)

    await ui.switch_to("U0BOB")
    await ui.open_channel("senior-management")
    escalation = ui.message("Escalated").filter(has_text="Servers")
    await expect(escalation).to_contain_text("may approve or deny this request")
    await escalation.get_by_role("button", name="Approve").click()
    await expect(ui.ephemeral("senior management approval")).to_be_visible()

    await ui.switch_to("U0DANA")
    await escalation.get_by_role("button", name="Deny").click()
    await expect(ui.modal).to_be_visible()
    await ui.modal.get_by_label("Reason").fill("Not this quarter")
    await ui.modal.get_by_role("button", name="Deny").click()
    await expect(ui.modal).to_be_hidden()
    await expect(escalation).to_contain_text("decided by senior management after escalation")
    await expect(escalation).to_contain_text("Not this quarter")
    await expect(escalation.get_by_role("button")).to_have_count(0)
    await ui.open_channel("expense-approvals")
    await expect(request).to_contain_text("Denied")
