"""devhost running the real app wired to Microsoft 365 Agents Playground, for tests that drive
the Playground's connector (e2e) or its web UI (browser). Others than the UI's user act through
its /_internal/v1/customActivities, as its "Mock an Activity" menu does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

import teams_playground as playground
from devhost.testing import RunningHost, run_devhost

APP_DIR = Path(__file__).resolve().parents[1]
BOB = {"id": "user-bob", "name": "Bob Smith"}


@dataclass
class PlaygroundStack:
    host: RunningHost
    base_url: str
    http: aiohttp.ClientSession

    async def template(self, conversation: str) -> dict[str, Any]:
        """The Playground's prefilled activity for `conversation` (from the UI's user)."""
        async with self.http.get(f"{self.base_url}/_internal/v1/customActivities/template",
                                 params={"conversationId": conversation}) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def inject(self, activity: dict[str, Any]) -> None:
        """Deliver an activity to the bot as if someone had done it in Teams."""
        async with self.http.post(f"{self.base_url}/_internal/v1/customActivities", json=activity) as response:
            assert response.status == 200, await response.text()

    async def act_as(self, person: dict[str, str], conversation: str, **fields: Any) -> None:
        """Send an activity from someone other than the UI's user into `conversation`."""
        activity = await self.template(conversation)
        activity.update(fields, **{"from": person})
        await self.inject(activity)

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
async def playground_stack(env: dict[str, str] | None = None) -> AsyncIterator[PlaygroundStack]:
    """devhost (virtual clock) and the Playground, each on a free port; `env` adds app settings."""
    if not playground.installed():
        pytest.fail("the Playground is not installed: run `make playground`")
    port = playground.free_port()
    async with run_devhost(APP_DIR, env={**playground.app_env(port), "SLACK_BOT_TOKEN": "", **(env or {})},
                           virtual_clock=True) as host:
        running = await playground.start(f"{host.base_url}/api/teams/messages", port)
        try:
            async with aiohttp.ClientSession() as http:
                yield PlaygroundStack(host, f"http://localhost:{port}", http)
        finally:
            await running.stop()


