"""An approval policy in Microsoft 365 Agents Playground's own web UI (Debian chromium): a
two-stage approval whose card shows the stages, and senior management deciding an escalation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from testkit.chromium import launched_chromium
from tests.browser.playground import BOB, PlaygroundPage, PlaygroundStack, instance_of, playground_stack

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

expect.set_options(timeout=15_000)

CAROL = {"id": "user-carol", "name": "Carol Diaz"}
POLICY = """\
tiers:
  - name: finance
    label: "every amount: manager, then finance"
    stages:
      - {name: manager, approvers: {teams: [user-bob]}, deadline: 10m}
      - {name: finance, approvers: {teams: [user-carol]}, deadline: 10m}
    senior: {approvers: {teams: [user-carol]}, deadline: 1h}
"""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PlaygroundStack]:
    path: Path = tmp_path_factory.mktemp("policy") / "policy.yaml"
    path.write_text(POLICY)
    async with playground_stack({"APPROVAL_POLICY_FILE": str(path)}) as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def alice(stack: PlaygroundStack) -> AsyncIterator[PlaygroundPage]:
    async with launched_chromium() as chromium:
        browser: Browser = chromium
        context = await browser.new_context(viewport={"width": 1280, "height": 860})
        page = PlaygroundPage(await context.new_page(), stack.base_url)
        await page.open()
        yield page
        await context.close()


async def test_two_stages_in_order_on_the_card(alice: PlaygroundPage, stack: PlaygroundStack) -> None:
    approval_id = await alice.ask("expense 1500 Laptops", "$1,500.00", "Laptops")
    await alice.open_chat("expense-approvals")
    card = alice.card(approval_id)
    await expect(card).to_contain_text("every amount: manager, then finance")
    await expect(card).to_contain_text("manager: waiting")

    await stack.click_on_card(BOB, "approve", approval_id)
    await stack.host.wait_for_custom_status(instance_of(approval_id), lambda s: s.get("policyStage") == 1)
    await expect(card).to_contain_text("finance: waiting")

    await stack.click_on_card(CAROL, "approve", approval_id)
    done = await stack.host.wait_for_status(instance_of(approval_id), "Completed", "Failed")
    assert done["output"]["status"] == "Approved", done
    await expect(card).to_contain_text("finance: Approved by Carol Diaz")
    await expect(card.get_by_role("button")).to_have_count(0)


async def test_senior_management_decides_the_escalation(alice: PlaygroundPage, stack: PlaygroundStack) -> None:
    approval_id = await alice.ask("expense 9000 Servers", "$9,000.00", "Servers")
    await stack.waiting(approval_id)
    await stack.host.settle()  # work in flight done first: the clock moves from a quiet host
    await stack.host.advance(timedelta(minutes=11))
    status = await stack.host.wait_for_custom_status(instance_of(approval_id), lambda s: bool(s.get("escalations")))
    await alice.open_chat("Senior management")
    escalation = alice.card("Escalated: $9,000.00", "Servers")
    await expect(escalation).to_contain_text("Senior management may approve or deny this request")
    await expect(escalation.get_by_role("button", name="Approve")).to_be_visible()

    posted = status["customStatus"]["escalations"]["teams"]
    await stack.act_as(CAROL, posted["conversationId"], type="invoke", name="adaptiveCard/action",
                       replyToId=posted["activityId"],
                       value={"action": {"type": "Action.Execute", "verb": "approve",
                                         "data": {"approvalId": approval_id}}, "trigger": "manual"})
    done = await stack.host.wait_for_status(instance_of(approval_id), "Completed", "Failed")
    assert done["output"]["status"] == "Approved" and done["output"]["decidedAfterEscalation"] is True, done
    await expect(alice.card("Decided by senior management after escalation")).to_contain_text("Approved by Carol")
