"""Shared end-to-end fixtures: the real function_app.py on devhost, over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from devhost.testing import RunningHost, run_devhost

APP_DIR = Path(__file__).resolve().parents[2]

SLACK_SETTINGS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "APPROVAL_CHANNEL",
    "ESCALATION_CHANNEL",
    "APPROVER_USER_IDS",
)


@pytest.fixture
def without_slack(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slack not configured: the activities do nothing and the HTTP API works alone."""
    for name in SLACK_SETTINGS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def app_host(without_slack: None) -> AsyncIterator[RunningHost]:
    """The product's function_app.py on devhost with a virtual clock and Slack not configured."""
    async with run_devhost(APP_DIR, virtual_clock=True) as host:
        yield host


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP client, as curl would be."""
    async with aiohttp.ClientSession() as session:
        yield session
