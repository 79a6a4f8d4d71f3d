"""Fixtures: a sandbox on a free port, and a small recording app that verifies Slack signatures."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from slack_sandbox.clock import ManualClock
from slack_sandbox.testing import run_sandbox

MANIFEST = """\
display_information:
  name: Expenses
features:
  bot_user:
    display_name: expense-bot
  slash_commands:
    - command: /expense
      url: https://my-func.azurewebsites.net/api/slack/commands
      description: Ask for an expense approval
      usage_hint: "120 Team lunch"
      should_escape: true
oauth_config:
  scopes:
    bot: [commands, chat:write, im:write, channels:history, groups:history, im:history, channels:read,
          im:read, users:read, users:read.email]
settings:
  interactivity:
    is_enabled: true
    request_url: https://my-func.azurewebsites.net/api/slack/interactions
"""


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str
    signature_valid: bool

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body, keep_blank_values=True))

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.form["payload"])


Reply = Callable[[Received], Awaitable[web.StreamResponse]]


@dataclass
class RecordingApp:
    """Stands in for the bot: records each request, checks its signature, answers as told."""

    verifier: SignatureVerifier
    received: list[Received] = field(default_factory=list)
    reply: Reply | None = None
    base_url: str = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.text()
        headers = dict(request.headers)
        entry = Received(request.path, headers, body, self.verifier.is_valid_request(body, headers))
        self.received.append(entry)
        if self.reply is not None:
            return await self.reply(entry)
        return web.Response(status=200)


def answer(status: int = 200, text: str = "", content_type: str = "text/plain") -> Reply:
    async def reply(_: Received) -> web.Response:
        return web.Response(status=status, text=text, content_type=content_type)
    return reply


def answer_json(body: dict[str, Any]) -> Reply:
    async def reply(_: Received) -> web.Response:
        return web.json_response(body)
    return reply


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "manifest.yml"
    path.write_text(MANIFEST)
    return path


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def slack(manifest: Path, clock: ManualClock):
    async with run_sandbox(manifest=manifest, clock=clock) as running:
        yield running


@pytest.fixture
async def app(slack):
    recorder = RecordingApp(SignatureVerifier(slack.sandbox.signing_secret))
    web_app = web.Application()
    web_app.router.add_route("POST", "/{tail:.*}", recorder.handle)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    recorder.base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    slack.connect_app(recorder.base_url)
    yield recorder
    await runner.cleanup()


@pytest.fixture
async def client(slack):
    web_client = AsyncWebClient(token=slack.sandbox.bot_token, base_url=slack.api_url)
    yield web_client
