"""The dashboard on a devhost running the real function_app.py, whose Slack is the recording fake."""
from __future__ import annotations

import os
import random
import re
import sqlite3
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from devhost.dashboard import PAGE_PATH
from devhost.testing import RunningHost
from testkit.slack_harness import slack_devhost

ROOT = Path(__file__).resolve().parents[2]
APPS = Path(__file__).resolve().parent / "apps"
API = "/_devhost/api"
REQUEST = {"amount": 5000, "requester": "alice@company.com",
           "description": "Conference attendance expenses", "timeout_seconds": 600}

NAMES = ("approval_workflow", "nightly_report", "onboarding")

expect.set_options(timeout=10_000)


def insert_instances(db_path: Path, count: int, seed: int = 7) -> list[dict]:
    """Write `count` finished-or-idle instances straight into the store in one transaction.
    Every fifth one shares its created_time with the previous one (ties order by id)."""
    rnd = random.Random(seed)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    rows: list[dict] = []
    for i in range(count):
        step = i - (1 if i % 5 == 4 else 0)
        created = (base + timedelta(seconds=step)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        rows.append({"instance_id": uuid.UUID(int=rnd.getrandbits(128)).hex,
                     "name": rnd.choice(NAMES),
                     "runtime_status": rnd.choice(("Completed", "Completed", "Running",
                                                   "Failed", "Terminated", "Suspended")),
                     "created_time": created, "last_updated_time": created})
    db = sqlite3.connect(db_path, timeout=10)
    with db:
        db.executemany(
            "INSERT INTO instances (instance_id, name, execution_id, runtime_status,"
            " created_time, last_updated_time) VALUES (:instance_id, :name, 'e', :runtime_status,"
            " :created_time, :last_updated_time)", rows)
    db.close()
    return rows


@pytest.fixture
async def host(monkeypatch) -> AsyncIterator[RunningHost]:
    """A request from the HTTP API is posted on every configured chat, so one is configured:
    the activities the dashboard shows then do their real work."""
    for name in [k for k in os.environ if k.startswith("SLACK_")]:
        monkeypatch.delenv(name)
    async with slack_devhost() as slack:
        yield slack.host


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def start_approval(host: RunningHost, http: aiohttp.ClientSession,
                         **overrides: Any) -> str:
    """POST /api/human_interaction, as the README does; returns the instance id once waiting."""
    async with http.post(f"{host.base_url}/api/human_interaction",
                         json={**REQUEST, **overrides}) as response:
        assert response.status == 202, await response.text()
        instance_id = (await response.json())["id"]
    await host.wait_for_custom_status(
        instance_id, lambda s: bool(s) and s.get("stage") == "waiting_for_approval")
    return instance_id


async def get_json(http: aiohttp.ClientSession, url: str) -> tuple[int, Any]:
    async with http.get(url) as response:
        return response.status, await response.json()


class Dashboard:
    """The dashboard page, in the words of someone watching approvals."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = base_url + PAGE_PATH

    async def open_list(self) -> None:
        await self.page.goto(self.url)
        await expect(self.page.locator("#live")).to_have_attribute("data-state", "live")

    async def open_instance(self, instance_id: str) -> None:
        await self.page.goto(f"{self.url}instances/{instance_id}")
        await expect(self.page.locator("#live")).to_have_attribute("data-state", "live")

    def row(self, instance_id: str) -> Locator:
        return self.page.locator(f'#instance-rows tr[data-instance-id="{instance_id}"]')

    @property
    def status(self) -> Locator:
        return self.page.locator("#instance-status")

    @property
    def waiting(self) -> Locator:
        return self.page.locator("#waiting")

    @property
    def timeline(self) -> Locator:
        return self.page.locator("#timeline")

    def timeline_row(self, text: str | re.Pattern[str]) -> Locator:
        return self.page.locator("#timeline .tl-row", has_text=text)

    @property
    def dialog(self) -> Locator:
        return self.page.get_by_role("dialog")

    async def confirm(self) -> None:
        await self.dialog.get_by_role("button", name="Confirm").click()
        await expect(self.dialog).to_be_hidden()


@pytest.fixture
async def dashboard(browser: Browser, host: RunningHost) -> AsyncIterator[Dashboard]:
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    yield Dashboard(page, host.base_url)
    await context.close()
