"""Microsoft 365 Agents Playground's web UI, wired to devhost running the real app, in the words of
someone using it. The UI acts as Alice only; Bob and the others act through the Playground's
/_internal/v1/customActivities, as its "Mock an Activity → Custom activity" menu does."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, expect

from testkit.playground_stack import BOB, PlaygroundStack, instance_of, playground_stack

__all__ = ["BOB", "PlaygroundPage", "PlaygroundStack", "instance_of", "playground_stack"]


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
