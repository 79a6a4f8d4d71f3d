"""Browser tests: Debian's chromium (Playwright) on the sandbox, wired to devhost running the real app."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from devhost.testing import RunningHost, run_devhost
from slack_sandbox.testing import PROJECT_MANIFEST, RunningSandbox, run_sandbox

ROOT = Path(__file__).resolve().parents[2]

expect.set_options(timeout=10_000)


@dataclass
class Stack:
    slack: RunningSandbox
    host: RunningHost


@pytest.fixture
async def stack():
    async with run_sandbox(manifest=PROJECT_MANIFEST) as slack:
        env = {**slack.env(), "SKIP_SLACK_SDK_WARNING": "1"}
        async with run_devhost(ROOT, env=env, virtual_clock=True) as host:
            slack.connect_app(host.base_url)
            yield Stack(slack, host)


class SlackPage:
    """The sandbox page, in the words of someone using it."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    async def open_as(self, user_id: str) -> None:
        await self.page.goto(f"{self.base_url}/?as={user_id}")
        await expect(self.page.locator("body")).to_have_attribute("data-user", user_id)

    async def switch_to(self, user_id: str) -> None:
        await self.page.get_by_label("You are").select_option(user_id)
        await expect(self.page.locator("body")).to_have_attribute("data-user", user_id)

    async def open_channel(self, name: str) -> None:
        link = self.page.locator(".nav-item", has_text=re.compile(rf"^(# )?{re.escape(name)}"))
        await link.click()
        await expect(self.page.locator("#channel-title")).to_contain_text(name)

    async def send(self, text: str) -> None:
        box = self.page.get_by_role("textbox", name="Message", exact=True)
        await box.fill(text)
        await box.press("Enter")

    def message(self, text: str | re.Pattern) -> Locator:
        return self.page.locator("article.message", has_text=text)

    def ephemeral(self, text: str | re.Pattern) -> Locator:
        """A message only the current person sees."""
        return self.page.locator("article.message.ephemeral", has_text=text)

    @property
    def modal(self) -> Locator:
        return self.page.get_by_role("dialog")


@pytest.fixture
async def ui(browser: Browser, stack: Stack):
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    yield SlackPage(page, stack.slack.base_url)
    await context.close()


@pytest.fixture
async def lone_slack():
    """The sandbox with no app behind it: for what the page renders on its own."""
    async with run_sandbox(manifest=PROJECT_MANIFEST) as slack:
        yield slack


@pytest.fixture
async def lone_ui(browser: Browser, lone_slack: RunningSandbox):
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    yield SlackPage(page, lone_slack.base_url)
    await context.close()
