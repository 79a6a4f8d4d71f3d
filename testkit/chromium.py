"""Debian's chromium for the browser tests: where it is, how it is started, and the fixture.

Playwright is imported only when a browser is wanted, so tests without one run without it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.async_api import Browser

# Debian's chromium, installed by `make chromium`; Playwright never downloads a browser here.
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium keeps calling out of this closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@asynccontextmanager
async def launched_chromium() -> AsyncIterator[Browser]:
    """A headless chromium on the running event loop (fixtures of any loop scope share this)."""
    from playwright.async_api import async_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make chromium)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """A headless chromium for one test."""
    async with launched_chromium() as launched:
        yield launched
