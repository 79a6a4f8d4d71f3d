"""Expense approvals in Teams, as people see them in Microsoft 365 Agents Playground's own web UI
(Debian chromium): Alice asks in her 1:1 chat and reads the outcome there; the Finance team's
expense-approvals channel shows the card and its updates in place; senior management's group
chat gets what nobody decided. Bob acts through the Playground's custom activities, since its UI
acts as Alice only. One devhost (virtual clock), one Playground and one page serve the whole
module: the page holds the UI's history, and a page that missed a card's first post stops showing
messages when that card is updated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from testkit.chromium import launched_chromium
from tests.browser.playground import BOB, PlaygroundPage, PlaygroundStack, instance_of, playground_stack

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

expect.set_options(timeout=15_000)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack() -> AsyncIterator[PlaygroundStack]:
    async with playground_stack() as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def chromium() -> AsyncIterator[Browser]:
    async with launched_chromium() as launched:
        yield launched


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def alice(chromium: Browser, stack: PlaygroundStack) -> AsyncIterator[PlaygroundPage]:
    context = await chromium.new_context(viewport={"width": 1280, "height": 860})
    page = PlaygroundPage(await context.new_page(), stack.base_url)
    await page.open()
    yield page
    await context.close()


async def test_alice_asks_in_her_chat_and_the_card_reaches_the_approvers_channel(
        alice: PlaygroundPage, stack: PlaygroundStack) -> None:
    approval_id = await alice.ask("expense 120 Team lunch", "$120.00", "Team lunch")
    await expect(alice.card("Sent for approval: $120.00")).to_contain_text("The approvers have until")

    await alice.open_chat("expense-approvals")
    card = alice.card(approval_id)
    await expect(card).to_contain_text("Expense approval: $120.00")
    await expect(card).to_contain_text("Alice Chen")
    await expect(card).to_contain_text("Team lunch")
    await expect(card.get_by_role("button", name="Approve")).to_be_visible()
    await expect(card.get_by_role("button", name="Deny")).to_be_visible()
    assert (await stack.host.get_status(instance_of(approval_id)))["runtimeStatus"] == "Running"


async def test_bob_approves_the_card_changes_in_place_and_alice_is_told(
        alice: PlaygroundPage, stack: PlaygroundStack) -> None:
    approval_id = await alice.ask("expense 130 Client coffee", "$130.00", "Client coffee")
    await alice.open_chat("expense-approvals")
    await expect(alice.card(approval_id).get_by_role("button", name="Approve")).to_be_visible()

    await stack.click_on_card(BOB, "approve", approval_id)
    done = await stack.host.wait_for_status(instance_of(approval_id), "Completed", "Failed")
    assert done["output"]["status"] == "Approved", done

    card = alice.card(approval_id)
    await expect(card).to_contain_text("Approved by Bob Smith")
    await expect(card.get_by_role("button")).to_have_count(0)
    await expect(card).to_have_count(1)  # replaced, not posted again

    await alice.open_chat("Personal Chat")
    await expect(alice.card("Your request for $130.00 was approved")).to_contain_text("Approved by Bob Smith")


async def test_bob_denies_with_a_reason_and_alice_reads_it(alice: PlaygroundPage, stack: PlaygroundStack) -> None:
    approval_id = await alice.ask("expense 900 New laptop", "$900.00", "New laptop")

    await stack.click_on_card(BOB, "denyWithReason", approval_id, reason="Use the spare one")
    done = await stack.host.wait_for_status(instance_of(approval_id), "Completed", "Failed")
    assert done["output"]["status"] == "Denied", done

    notice = alice.card("Your request for $900.00 was denied")
    await expect(notice).to_contain_text("Denied by Bob Smith")
    await expect(notice).to_contain_text("Use the spare one")

    await alice.open_chat("expense-approvals")
    card = alice.card(approval_id)
    await expect(card).to_contain_text("Denied by Bob Smith")
    await expect(card).to_contain_text("Use the spare one")
    await expect(card.get_by_role("button")).to_have_count(0)


async def test_alices_own_approve_is_refused_on_her_card_only_and_nothing_changes(
        alice: PlaygroundPage, stack: PlaygroundStack) -> None:
    approval_id = await alice.ask("expense 45 Taxi home", "$45.00", "Taxi home")
    await alice.open_chat("expense-approvals")
    card = alice.card(approval_id)
    before = await stack.waiting(approval_id)

    await card.get_by_role("button", name="Approve").click()

    await expect(card).to_contain_text("You can't decide your own request; another approver has to.")
    await expect(card.get_by_role("button", name="Approve")).to_be_visible()
    after = await stack.host.get_status(instance_of(approval_id))
    assert after["runtimeStatus"] == "Running"
    assert after["customStatus"] == before["customStatus"]
    assert after["lastUpdatedTime"] == before["lastUpdatedTime"]
    await alice.open_chat("Personal Chat")
    await expect(alice.card("Your request for $45.00")).to_have_count(0)  # no notice: nothing was decided


async def test_nobody_decides_in_time_so_it_is_escalated_and_the_card_says_expired(
        alice: PlaygroundPage, stack: PlaygroundStack) -> None:
    approval_id = await alice.ask("expense 310 Conference ticket", "$310.00", "Conference ticket")
    await stack.waiting(approval_id)

    await stack.host.advance(timedelta(minutes=11))
    done = await stack.host.wait_for_status(instance_of(approval_id), "Completed", "Failed")
    assert done["output"]["status"] == "Escalated", done

    await expect(alice.card("Your request for $310.00 was escalated")).to_contain_text("senior management")

    await alice.open_chat("Senior management")
    await expect(alice.card("Escalated: $310.00")).to_contain_text("Conference ticket")

    await alice.open_chat("expense-approvals")
    card = alice.card(approval_id)
    await expect(card).to_contain_text("Expired: $310.00")
    await expect(card).to_contain_text("escalated to senior management")
    await expect(card.get_by_role("button")).to_have_count(0)
