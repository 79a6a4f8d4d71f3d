"""Watching approvals in the dashboard: waiting, racing the timer, finishing, all live."""
from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import expect

from .conftest import Dashboard, insert_instances, start_approval

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "dashboard.png"
COUNTDOWN = re.compile(r"^in (9m [0-5]\d|10m 00)s$")


async def test_an_approval_waits_then_is_approved_from_the_page(dashboard: Dashboard, host, http,
                                                                 tmp_path):
    instance_id = await start_approval(host, http)
    await dashboard.open_list()
    await expect(dashboard.row(instance_id)).to_contain_text("Running")
    await expect(dashboard.row(instance_id)).to_contain_text("approval_workflow")

    await dashboard.row(instance_id).get_by_role("link").click()
    await expect(dashboard.status).to_have_text("Running")
    wait = dashboard.waiting.locator('li[data-event="approval_response"]')
    await expect(wait).to_contain_text("External event approval_response")
    countdown = dashboard.waiting.locator(".countdown")
    await expect(countdown).to_have_text(COUNTDOWN)
    await expect(dashboard.timeline_row("Durable timer")).to_have_attribute("data-state", "pending")
    await expect(dashboard.timeline_row("send_approval_request")).to_contain_text("completed")
    await expect(dashboard.page.locator("#event-name")).to_have_value("approval_response")

    shot = tmp_path / "dashboard.png"
    await dashboard.page.mouse.move(1400, 880)
    await dashboard.page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("UPDATE_SCREENSHOTS"):  # refresh docs/images/dashboard.png
        shutil.copyfile(shot, SCREENSHOT)

    await dashboard.page.locator("#event-data").fill(
        '{"approved": true, "approver": "dana@company.com"}')
    await dashboard.page.get_by_role("button", name="Raise event…").click()
    await expect(dashboard.dialog).to_contain_text("dana@company.com")
    await dashboard.confirm()

    await expect(dashboard.status).to_have_text("Completed")
    decision = dashboard.timeline_row("Event approval_response")
    await expect(decision).to_contain_text('"approved": true')
    await expect(decision).to_contain_text("dana@company.com")
    await expect(dashboard.timeline_row("process_approval")).to_contain_text("completed")
    await expect(dashboard.timeline_row("Durable timer")).to_have_attribute("data-state", "cancelled")
    await expect(dashboard.waiting).to_contain_text("Nothing: the instance is Completed.")
    await expect(dashboard.page.locator("#output-json")).to_contain_text('"status": "Approved"')
    status = await host.wait_for_status(instance_id, "Completed")
    assert status["output"]["approval"]["approver"] == "dana@company.com"


async def test_a_timed_out_approval_shows_its_fired_timer_and_the_escalation(dashboard: Dashboard,
                                                                             host, http):
    instance_id = await start_approval(host, http)
    await dashboard.open_instance(instance_id)
    await expect(dashboard.waiting.locator(".countdown")).to_have_text(COUNTDOWN)

    await host.advance(timedelta(seconds=601))

    await expect(dashboard.status).to_have_text("Completed")
    timer = dashboard.timeline_row("Durable timer")
    await expect(timer).to_have_attribute("data-state", "fired")
    await expect(timer).to_contain_text("fired after 10m 01s")
    escalation = dashboard.timeline_row("Activity escalate_approval")
    await expect(escalation).to_have_attribute("data-state", "completed")
    await expect(dashboard.waiting.locator(".countdown")).to_have_count(0)
    await expect(dashboard.page.locator("#output-json")).to_contain_text('"status": "Escalated"')


async def test_the_list_shows_new_instances_live_and_filters_them(dashboard: Dashboard, host, http):
    await dashboard.open_list()
    first = await start_approval(host, http)
    await expect(dashboard.row(first)).to_contain_text("Running")
    await host.advance(timedelta(seconds=1))  # the virtual clock stands still otherwise
    second = await start_approval(host, http)
    await expect(dashboard.row(second)).to_be_visible()
    await expect(dashboard.page.locator("#instance-rows tr").first).to_have_attribute(
        "data-instance-id", second)

    await host.client.terminate(first, "duplicate")
    await expect(dashboard.row(first)).to_contain_text("Terminated")

    chips = dashboard.page.locator("#status-chips")
    await chips.locator('[data-status="Running"]').click()
    await expect(dashboard.page.locator("#instance-rows tr")).to_have_count(1)
    await expect(dashboard.row(second)).to_be_visible()
    await expect(chips.locator('[data-count="Running"]')).to_have_text("1")
    await expect(chips.locator('[data-count="Terminated"]')).to_have_text("1")

    await chips.locator('[data-status="Running"]').click()
    await dashboard.page.get_by_label("Instance id starts with").fill(first[:16])  # one requester's ids share their first 12
    await expect(dashboard.page.locator("#instance-rows tr")).to_have_count(1)
    await expect(dashboard.row(first)).to_be_visible()

    await dashboard.row(first).locator("td").nth(2).click()
    await expect(dashboard.status).to_have_text("Terminated")
    await expect(dashboard.timeline_row("Terminated")).to_contain_text("duplicate")


async def test_actions_ask_first_and_report_what_the_api_said(dashboard: Dashboard, host, http):
    instance_id = await start_approval(host, http)
    await dashboard.open_instance(instance_id)
    page = dashboard.page

    await page.locator("#event-data").fill("{not json")
    await page.get_by_role("button", name="Raise event…").click()
    await dashboard.confirm()
    await expect(page.locator("#action-result")).to_have_text(
        "Event not raised: Invalid JSON content")

    await page.get_by_role("button", name="Terminate…").click()
    await dashboard.dialog.get_by_role("button", name="Cancel").click()
    await expect(dashboard.dialog).to_be_hidden()
    assert (await host.get_status(instance_id))["runtimeStatus"] == "Running"

    await page.get_by_label("Reason").fill("checking receipts")
    await page.get_by_role("button", name="Suspend…").click()
    await expect(dashboard.dialog).to_contain_text("checking receipts")
    await dashboard.confirm()
    await expect(dashboard.status).to_have_text("Suspended")
    await expect(dashboard.timeline_row("Suspended")).to_contain_text("checking receipts")
    await expect(page.get_by_role("button", name="Resume…")).to_be_enabled()

    await page.get_by_role("button", name="Resume…").click()
    await dashboard.confirm()
    await expect(dashboard.status).to_have_text("Running")

    await page.get_by_label("Reason").fill("duplicate request")
    await page.get_by_role("button", name="Terminate…").click()
    await dashboard.confirm()
    await expect(dashboard.status).to_have_text("Terminated")
    await expect(page.locator("#output-json")).to_contain_text("duplicate request")

    await page.get_by_role("button", name="Purge…").click()
    await dashboard.confirm()
    await expect(page.locator("#list-view")).to_be_visible()
    await expect(dashboard.row(instance_id)).to_have_count(0)
    assert await host.get_status(instance_id) is None


async def test_older_and_newer_pages_of_many_instances(dashboard: Dashboard, host):
    rows = insert_instances(host.db_path, 120)
    newest = sorted(rows, key=lambda r: (r["created_time"], r["instance_id"]), reverse=True)
    await dashboard.open_list()
    info = dashboard.page.locator("#page-info")
    await expect(info).to_have_text("1–50 of 120")
    await expect(dashboard.page.locator("#instance-rows tr").first).to_have_attribute(
        "data-instance-id", newest[0]["instance_id"])

    older = dashboard.page.get_by_role("button", name="Older →")
    await older.click()
    await expect(info).to_have_text("51–100 of 120")
    await older.click()
    await expect(info).to_have_text("101–120 of 120")
    await expect(dashboard.page.locator("#instance-rows tr").last).to_have_attribute(
        "data-instance-id", newest[-1]["instance_id"])
    await expect(older).to_be_disabled()

    await dashboard.page.get_by_role("button", name="← Newer").click()
    await expect(info).to_have_text("51–100 of 120")
    await expect(dashboard.page.locator("#instance-rows tr").first).to_have_attribute(
        "data-instance-id", newest[50]["instance_id"])

    await dashboard.page.get_by_label("Orchestrator").select_option("onboarding")
    onboarding = sum(r["name"] == "onboarding" for r in rows)
    await expect(info).to_have_text(f"1–{min(onboarding, 50)} of {onboarding}")
