"""Alice changes her mind, in Microsoft 365 Agents Playground's own web UI (Debian chromium):
Cancel request on her confirmation card, and the approvers' card updated in place."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import expect

from testkit.chromium import launched_chromium
from tests.browser.playground import PlaygroundPage, PlaygroundStack, instance_of, playground_stack

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

expect.set_options(timeout=15_000)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack() -> AsyncIterator[PlaygroundStack]:
    async with playground_stack() as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def alice(stack: PlaygroundStack) -> AsyncIterator[PlaygroundPage]:
    async with launched_chromium() as chromium:
        context = await chromium.new_context(viewport={"width": 1280, "height": 860})
        page = PlaygroundPage(await context.new_page(), stack.base_url)
        await page.open()
        yield page
        await context.close()


async def test_alice_cancels_her_request_and_the_approvers_card_says_so(
        alice: PlaygroundPage, stack: PlaygroundStack) -> None:
    approval_id = await alice.ask("expense 480 Standing desk", "$480.00", "Standing desk")
    await stack.waiting(approval_id)

    await alice.card("Sent for approval: $480.00").get_by_role("button", name="Cancel request").click()
    await expect(alice.card("Your request for $480.00 was cancelled").first).to_contain_text("Cancelled by Alice")
    done = await stack.host.wait_for_status(instance_of(approval_id), "Completed", "Failed")
    assert done["output"]["status"] == "Cancelled", done

    await alice.open_chat("expense-approvals")
    card = alice.card(approval_id)
    await expect(card).to_contain_text("Cancelled: $480.00")
    await expect(card).to_contain_text("Cancelled by Alice")
    await expect(card.get_by_role("button")).to_have_count(0)
