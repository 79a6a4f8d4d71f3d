"""The real function app on devhost, with Slack's Web API replaced by the recording fake, and
helpers that send Slack-shaped, correctly signed requests to its two Slack endpoints."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from devhost.testing import RunningHost, run_devhost
from testkit import slack_requests as slack
from testkit.blockkit import assert_everything_sent_is_valid
from testkit.slack_api import FakeSlackApi, StoredMessage

APP_DIR = Path(__file__).resolve().parents[1]
TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"
APPROVAL_CHANNEL = "CAPPROVE"
ESCALATION_CHANNEL = "CESCALATE"
REQUESTER = "UREQ1"
APPROVER = "UAPPR1"
OTHER_APPROVER = "UAPPR2"
OUTSIDER = "UOUTSIDE"


@dataclass
class Answer:
    status: int
    text: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class Started:
    approval_id: str
    instance_id: str
    message: StoredMessage  # the request as posted to the approval channel


class SlackHarness:
    def __init__(self, host: RunningHost, fake: FakeSlackApi, session: aiohttp.ClientSession) -> None:
        self.host = host
        self.fake = fake
        self.session = session
        self._hooks = itertools.count(1)

    # --- raw posting ---------------------------------------------------------------------------

    async def post(self, path: str, body: str, headers: dict[str, str]) -> Answer:
        async with self.session.post(f"{self.host.base_url}{path}", data=body.encode(), headers=headers) as response:
            return Answer(response.status, await response.text(), dict(response.headers))

    async def post_signed(self, path: str, body: str, **sign: Any) -> Answer:
        return await self.post(path, body, slack.signed_headers(SECRET, body, **sign))

    def new_response_url(self) -> str:
        return self.fake.response_url(f"hook-{next(self._hooks)}")

    # --- what people do ------------------------------------------------------------------------

    async def command(self, text: str, *, user_id: str = REQUESTER, response_url: str | None = None) -> Answer:
        body = slack.slash_command_body(text, user_id=user_id, response_url=response_url or self.new_response_url())
        return await self.post_signed("/api/slack/commands", body)

    async def click(self, action_id: str, approval_id: str, *, user_id: str, message: StoredMessage | None = None,
                    response_url: str | None = None) -> Answer:
        payload = slack.button_click(
            action_id, approval_id, user_id=user_id, user_name=user_id.lower(),
            channel=message.channel if message else APPROVAL_CHANNEL,
            message_ts=message.ts if message else "1700000000.999999",
            message_blocks=message.blocks if message else None,
            response_url=response_url or self.new_response_url(),
        )
        return await self.post_signed("/api/slack/interactions", slack.interaction_body(payload))

    async def submit(self, callback_id: str, values: dict[str, dict[str, Any]], *, user_id: str,
                     private_metadata: str = "") -> Answer:
        payload = slack.view_submission(callback_id, values, user_id=user_id, user_name=user_id.lower(),
                                        private_metadata=private_metadata)
        return await self.post_signed("/api/slack/interactions", slack.interaction_body(payload))

    async def open_home(self, user_id: str, *, tab: str = "home") -> Answer:
        """Open the app's Home tab in Slack: an app_home_opened event."""
        body = slack.app_home_opened(user_id, tab=tab)
        return await self.post("/api/slack/events", body,
                               slack.signed_headers(SECRET, body, content_type="application/json"))

    async def click_home(self, action_id: str, approval_id: str, *, user_id: str) -> Answer:
        """Click a button on the App Home tab."""
        payload = slack.home_click(action_id, approval_id, user_id=user_id, user_name=user_id.lower())
        return await self.post_signed("/api/slack/interactions", slack.interaction_body(payload))

    def home_of(self, user_id: str) -> dict[str, Any]:
        """The Home tab as last published for this person."""
        return self.fake.home_views.get(user_id, {})

    # --- waiting -------------------------------------------------------------------------------

    async def wait_until_waiting(self, instance_id: str) -> dict[str, Any]:
        return await self.host.wait_for_custom_status(
            instance_id, lambda status: isinstance(status, dict) and status.get("stage") == "waiting_for_approval"
        )

    async def start_by_text(self, text: str = "5000 Conference attendance", *, user_id: str = REQUESTER) -> Started:
        """`/expense <text>`, then wait until the request is posted and the workflow waits."""
        answer = await self.command(text, user_id=user_id)
        assert answer.status == 200, answer.text
        approval_id = _approval_id_in(answer.text)
        instance_id = approval_id.removeprefix("approval-")
        status = await self.wait_until_waiting(instance_id)
        posted = status["customStatus"]["message"]
        return Started(approval_id, instance_id, self.fake.message(posted["channel"], posted["ts"]))

    def responses_to(self, response_url: str) -> list[dict[str, Any]]:
        path = response_url.removeprefix(self.fake.base_url)
        return [call.args for call in self.fake.calls_to("response_url") if call.path == path]


def _approval_id_in(text: str) -> str:
    import re

    match = re.search(r"approval-[0-9a-f]{32}", text)
    assert match, f"no approval id in {text!r}"
    return match.group(0)


def _moved_with(host: RunningHost) -> Callable[[], float]:
    """Slack's clock when the host's is virtual: real time plus every skip of the virtual clock,
    so a message posted after a skipped deadline carries a ts after that deadline, as in life."""
    began = host.clock.now()
    return lambda: time.time() + (host.clock.now() - began).total_seconds()


@asynccontextmanager
async def slack_devhost(
    *, approvers: str = f"{APPROVER},{OTHER_APPROVER}", virtual_clock: bool = True,
    users_by_email: dict[str, str] | None = None, env: dict[str, str] | None = None,
    before_start: Callable[[FakeSlackApi], None] | None = None,
) -> AsyncIterator[SlackHarness]:
    async with FakeSlackApi(token=TOKEN, users_by_email=users_by_email) as fake:
        if before_start is not None:
            before_start(fake)
        settings = {
            "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
            "APPROVAL_CHANNEL": APPROVAL_CHANNEL, "ESCALATION_CHANNEL": ESCALATION_CHANNEL,
            "APPROVER_USER_IDS": approvers, "SKIP_SLACK_SDK_WARNING": "1", **(env or {}),
        }
        async with run_devhost(APP_DIR, env=settings, virtual_clock=virtual_clock) as host:
            if virtual_clock:
                fake.clock = _moved_with(host)
            async with aiohttp.ClientSession() as session:
                yield SlackHarness(host, fake, session)
        assert_everything_sent_is_valid(fake.calls)
