"""Microsoft 365 Agents Playground's web UI, wired to devhost running the real app, in the words of
someone using it. The UI acts as Alice only; Bob and the others act through the Playground's
/_internal/v1/customActivities, as its "Mock an Activity → Custom activity" menu does."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Locator, Page, expect

import teams_playground as playground
from devhost.testing import RunningHost, run_devhost

APP_DIR = Path(__file__).resolve().parents[2]
BOB = {"id": "user-bob", "name": "Bob Smith"}


@dataclass
class PlaygroundStack:
    host: RunningHost
    base_url: str
    http: aiohttp.ClientSession

    async def act_as(self, person: dict[str, str], conversation: str, **fields: Any) -> None:
        """Send an activity from someone other than the UI's user into `conversation`."""
        async with self.http.get(f"{self.base_url}/_internal/v1/customActivities/template",
                                 params={"conversationId": conversation}) as response:
            assert response.status == 200, await response.text()
            activity = await response.json()
        activity.update(fields, **{"from": person})
        async with self.http.post(f"{self.base_url}/_internal/v1/customActivities", json=activity) as response:
            assert response.status == 200, await response.text()

    async def click_on_card(self, person: dict[str, str], verb: str, approval_id: str, **inputs: str) -> None:
        """`person` clicks a button on the request card in the approvers' channel."""
        posted = (await self.waiting(approval_id))["customStatus"]["messages"]["teams"]
        await self.act_as(person, posted["conversationId"], type="invoke", name="adaptiveCard/action",
                          replyToId=posted["activityId"],
                          value={"action": {"type": "Action.Execute", "verb": verb,
                                            "data": {"approvalId": approval_id, **inputs}}, "trigger": "manual"})

    async def waiting(self, approval_id: str) -> dict[str, Any]:
        """The request's status once its card is posted and it waits for a decision."""
        return await self.host.wait_for_custom_status(
            instance_of(approval_id), lambda custom: isinstance(custom, dict) and custom.get("messages") is not None)


def instance_of(approval_id: str) -> str:
    return approval_id.removeprefix("approval-")


@asynccontextmanager
async def playground_stack() -> AsyncIterator[PlaygroundStack]:
    """devhost (virtual clock) and the Playground, each on a free port."""
    if not playground.installed():
        pytest.fail("the Playground is not installed: run `make playground`")
    port = playground.free_port()
    async with run_devhost(APP_DIR, env={**playground.app_env(port), "SLACK_BOT_TOKEN": ""},
                           virtual_clock=True) as host:
        running = await playground.start(f"{host.base_url}/api/teams/messages", port)
        try:
            async with aiohttp.ClientSession() as http:
                yield PlaygroundStack(host, f"http://localhost:{port}", http)
        finally:
            await running.stop()


class PlaygroundPage:
    """The Playground page as Alice uses it."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    async def open(self) -> None:
        await self.page.goto(self.base_url)
        await expect(self.page.get_by_text("Personal Chat", exact=True)).to_be_visible()

    async def open_chat(self, name: str) -> None:
        """A chat or channel from the left rail: "Personal Chat", "Senior management", "expense-approvals"."""
        await self.page.get_by_role("region", name="Chat and Teams Channel").get_by_text(name, exact=True).click()

    async def say(self, text: str) -> None:
        """Type in the open chat's message box and press Enter."""
        box = self.page.locator("[data-lexical-editor=true]").last
        await box.click()
        await box.press_sequentially(text)
        await box.press("Enter")

    def card(self, *texts: str | re.Pattern) -> Locator:
        """The Adaptive Cards on screen that show every one of `texts`."""
        found = self.page.locator(".ac-adaptiveCard")
        for text in texts:
            found = found.filter(has_text=text)
        return found

    async def approval_id_on(self, card: Locator) -> str:
        await expect(card).to_have_count(1)
        match = re.search(r"approval-[0-9a-f]{32}", await card.inner_text())
        assert match, await card.inner_text()
        return match.group(0)

    async def ask(self, text: str, amount: str, description: str) -> str:
        """Ask for an expense in the 1:1 chat; the approval id the confirmation shows."""
        await self.open_chat("Personal Chat")
        await self.say(text)
        confirmation = self.card(f"Sent for approval: {amount}", description)
        await expect(confirmation).to_be_visible()
        return await self.approval_id_on(confirmation)
