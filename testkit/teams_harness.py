"""The real function app on devhost (in this process, on the virtual clock) with Teams pointed at
the recording fake connector; the activities people send come from testkit.teams_client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from devhost.testing import RunningHost, run_devhost
from testkit.teams_client import (
    APPROVALS,
    APPROVER,
    BOT,
    ESCALATIONS,
    OTHER_APPROVER,
    OUTSIDER,
    REQUESTER,
    Answer,
    Started,
    TeamsClient,
    approval_id_in,
    card_text,
    verbs,
)
from testkit.teams_connector import FakeConnector

__all__ = ["APPROVALS", "APPROVER", "BOT", "ESCALATIONS", "OTHER_APPROVER", "OUTSIDER", "REQUESTER", "Answer",
           "Started", "TeamsHarness", "approval_id_in", "card_text", "teams_devhost", "verbs", "APP_DIR",
           "TEAMS_SETTING_NAMES"]

APP_DIR = Path(__file__).resolve().parents[1]

TEAMS_SETTING_NAMES = ("TEAMS_APP_ID", "TEAMS_APP_SECRET", "TEAMS_AUTH_TYPE", "TEAMS_TENANT_ID", "TEAMS_ENABLED",
                       "TEAMS_SERVICE_URL", "TEAMS_APPROVAL_CONVERSATION", "TEAMS_ESCALATION_CONVERSATION",
                       "TEAMS_APPROVER_IDS")


class TeamsHarness(TeamsClient):
    def __init__(self, host: RunningHost, fake: FakeConnector, session: aiohttp.ClientSession) -> None:
        super().__init__(lambda: host.base_url, fake, session)
        self.host = host

    async def wait_until_waiting(self, instance_id: str) -> dict[str, Any]:
        return await self.host.wait_for_custom_status(
            instance_id, lambda status: isinstance(status, dict) and status.get("stage") == "waiting_for_approval")

    async def start_by_text(self, text: str = "expense 120 Team lunch", user: dict[str, str] = REQUESTER) -> Started:
        before = len(self.replies_to(user))
        answer = await self.say(text, user)
        assert answer.status in (200, 202), answer.text
        replies = self.replies_to(user)[before:]
        assert replies, "no answer in the 1:1 chat"
        approval_id = approval_id_in(json.dumps(replies[-1].latest))
        instance_id = approval_id.removeprefix("approval-")
        status = await self.wait_until_waiting(instance_id)
        posted = status["customStatus"]["messages"]["teams"]
        return Started(approval_id, instance_id, self.fake.find(posted["conversationId"], posted["activityId"]))


@asynccontextmanager
async def teams_devhost(*, approvers: str = f"{APPROVER['id']},{OTHER_APPROVER['id']}", virtual_clock: bool = True,
                        env: dict[str, str] | None = None, jwks: dict[str, Any] | None = None
                        ) -> AsyncIterator[TeamsHarness]:
    async with FakeConnector(jwks) as fake:
        settings = {
            "TEAMS_ENABLED": "true", "TEAMS_SERVICE_URL": fake.service_url,
            "TEAMS_APPROVAL_CONVERSATION": APPROVALS, "TEAMS_ESCALATION_CONVERSATION": ESCALATIONS,
            "TEAMS_APPROVER_IDS": approvers, "SLACK_BOT_TOKEN": "", **(env or {}),
        }
        async with run_devhost(APP_DIR, env=settings, virtual_clock=virtual_clock) as host:
            async with aiohttp.ClientSession() as session:
                yield TeamsHarness(host, fake, session)
