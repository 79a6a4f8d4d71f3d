"""Watching approvals in the dashboard: waiting, racing the timer, finishing, all live."""
from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import expect

from .conftest import Dashboard, start_approval

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
