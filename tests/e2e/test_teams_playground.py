"""The real function app on devhost against Microsoft 365 Agents Playground's own mocked connector:
Alice asks in her 1:1 chat, Bob approves in Finance's expense-approvals channel. Other people
act through the Playground's /_internal/v1/customActivities, as its UI's "Custom activity" does."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import teams_playground as playground
from devhost.testing import RunningHost
from testkit.playground_stack import BOB, playground_stack

pytestmark = pytest.mark.slow


async def first_instance(host: RunningHost, timeout: float = 10.0) -> Any:
    """Await the first instance the app starts (the Playground delivers to the bot on its own time)."""
    engine = host._host.engine  # the same change signal RunningHost's waits use
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        change = engine.next_change()
        statuses = await host.client.get_status_all()
        if statuses:
            change.close()
            return statuses[0]
        await asyncio.wait_for(change, max(deadline - loop.time(), 0))


async def test_ask_in_the_playground_and_approve_as_another_user() -> None:
    async with playground_stack() as stack:
        host = stack.host
        message = await stack.template(playground.PERSONAL_CHAT)
        await stack.inject({**message, "type": "message", "text": "expense 120 Team lunch",
                            "from": {**message["from"], "name": "Alice Chen"}})
        started = await first_instance(host)
        status = await host.wait_for_custom_status(
            started.instance_id, lambda custom: isinstance(custom, dict) and custom["stage"] == "waiting_for_approval")
        custom = status["customStatus"]
        posted = custom["messages"]["teams"]
        assert posted["conversationId"] == playground.APPROVALS

        await stack.click_on_card(BOB, "approve", custom["approvalId"])
        # Completed (not Failed) means the Playground accepted the card update and Alice's notice.
        done = await host.wait_for_status(started.instance_id, "Completed", "Failed")
        assert done["runtimeStatus"] == "Completed", done
        assert done["output"]["status"] == "Approved"
        assert done["output"]["approval"]["decidedBy"]["id"] == "user-bob"
