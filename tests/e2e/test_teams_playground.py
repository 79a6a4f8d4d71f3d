"""The real function app on devhost against Microsoft 365 Agents Playground's own mocked connector:
Alice asks in her 1:1 chat, Bob approves in Finance's expense-approvals channel. Other people
act through the Playground's /_internal/v1/customActivities, as its UI's "Custom activity" does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

import teams_playground as playground
from devhost.testing import RunningHost, run_devhost

pytestmark = pytest.mark.slow
APP_DIR = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def product_with_playground() -> AsyncIterator[tuple[RunningHost, str, aiohttp.ClientSession]]:
    if not playground.installed():
        pytest.fail("the Playground is not installed: run `make playground`")
    port = playground.free_port()
    async with run_devhost(APP_DIR, env={**playground.app_env(port), "SLACK_BOT_TOKEN": ""},
                           virtual_clock=True) as host:
        running = await playground.start(f"{host.base_url}/api/teams/messages", port)
        try:
            async with aiohttp.ClientSession() as http:
                yield host, f"http://localhost:{port}", http
        finally:
            await running.stop()


async def inject(http: aiohttp.ClientSession, base: str, activity: dict[str, Any]) -> None:
    async with http.post(f"{base}/_internal/v1/customActivities", json=activity) as response:
        assert response.status == 200, await response.text()


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


async def template(http: aiohttp.ClientSession, base: str, conversation: str) -> dict[str, Any]:
    async with http.get(f"{base}/_internal/v1/customActivities/template",
                        params={"conversationId": conversation}) as response:
        return await response.json()


async def test_ask_in_the_playground_and_approve_as_another_user() -> None:
    async with product_with_playground() as (host, base, http):
        message = await template(http, base, playground.PERSONAL_CHAT)
        await inject(http, base, {**message, "type": "message", "text": "expense 120 Team lunch",
                                  "from": {**message["from"], "name": "Alice Chen"}})
        started = await first_instance(host)
        status = await host.wait_for_custom_status(
            started.instance_id, lambda custom: isinstance(custom, dict) and custom["stage"] == "waiting_for_approval")
        custom = status["customStatus"]
        posted = custom["messages"]["teams"]
        assert posted["conversationId"] == playground.APPROVALS

        click = await template(http, base, posted["conversationId"])
        await inject(http, base, {
            **click, "type": "invoke", "name": "adaptiveCard/action", "replyToId": posted["activityId"],
            "from": {"id": "user-bob", "name": "Bob Smith"},
            "value": {"action": {"type": "Action.Execute", "verb": "approve",
                                 "data": {"approvalId": custom["approvalId"]}}, "trigger": "manual"}})
        # Completed (not Failed) means the Playground accepted the card update and Alice's notice.
        done = await host.wait_for_status(started.instance_id, "Completed", "Failed")
        assert done["runtimeStatus"] == "Completed", done
        assert done["output"]["status"] == "Approved"
        assert done["output"]["approval"]["decidedBy"]["id"] == "user-bob"
