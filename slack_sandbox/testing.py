"""Drive the sandbox from tests: start it on a free port, act as people, await what appears.

    async with run_sandbox(manifest=Path("manifest.yml")) as slack:
        async with run_devhost(app_dir, env=slack.env(), virtual_clock=True) as host:
            slack.connect_app(host.base_url)
            await slack.slash_command("U0ALICE", "/expense 120 Team lunch")
            request = await slack.wait_for_message("#expense-approvals", lambda m: m.blocks)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import user_actions
from .clock import Clock
from .manifest import AppEndpoints
from .people import APPROVAL_CHANNEL, BOT_USER_ID, ESCALATION_CHANNEL
from .sandbox import Sandbox
from .server import start_server
from .web_api import API_LOG_KEY, ApiLog, Fault
from .workspace import Message, OpenView, Workspace

PROJECT_MANIFEST = Path(__file__).resolve().parent.parent / "manifest.yml"


@dataclass
class RunningSandbox:
    sandbox: Sandbox
    api_log: ApiLog

    @property
    def base_url(self) -> str:
        return self.sandbox.base_url

    @property
    def api_url(self) -> str:
        return self.sandbox.api_url

    @property
    def workspace(self) -> Workspace:
        return self.sandbox.workspace

    def env(self) -> dict[str, str]:
        """Settings for the bot: token, signing secret, SLACK_API_URL, channels, approvers."""
        return self.sandbox.app_env()

    def connect_app(self, app_base_url: str) -> None:
        self.sandbox.connect_app(app_base_url)

    def fail_next(self, method: str, *, status: int = 429, error: str = "ratelimited",
                  retry_after: int | None = 1, times: int = 1, applied: bool = False) -> None:
        """Make the next `times` calls of a Web API method fail (e.g. 429 with Retry-After).
        With ``applied`` the call still takes effect and only its answer is the failure (a 5xx
        or a lost answer after Slack did the work); the log keeps the real answer as "effect"."""
        self.api_log.faults.setdefault(method, []).append(Fault(status, error, retry_after, times, applied))

    # ---- acting as a workspace admin ---------------------------------------------------------
    def invite_bot(self, channel: str) -> None:
        """Invite the bot to a channel (by id or name), as /invite @Expense Approvals does."""
        self.sandbox.invite_bot(channel)

    def remove_bot(self, channel: str) -> None:
        self.sandbox.remove_bot(channel)

    def create_channel(self, name: str, *, with_bot: bool = False) -> str:
        """A new public channel with every person in it and the bot only if asked; its id."""
        members = {u.id for u in self.workspace.humans()} | ({BOT_USER_ID} if with_bot else set())
        return self.workspace.create_channel(name, members).id

    # ---- acting as a person ------------------------------------------------------------------
    async def slash_command(self, user_id: str, line: str, channel: str = APPROVAL_CHANNEL) -> user_actions.Outcome:
        return await user_actions.run_command(self.sandbox, user_id, self._channel_id(channel), line)

    async def say(self, user_id: str, text: str, channel: str = APPROVAL_CHANNEL) -> user_actions.Outcome:
        return await user_actions.send_message(self.sandbox, user_id, self._channel_id(channel), text)

    async def click(self, user_id: str, message: Message, action_id: str) -> user_actions.Outcome:
        return await user_actions.click_button(self.sandbox, user_id, message.channel, message.ts, action_id)

    async def submit_view(self, user_id: str, inputs: dict[str, Any], view_id: str | None = None) -> user_actions.Outcome:
        return await user_actions.submit_view(self.sandbox, user_id, view_id or self.top_view(user_id).id, inputs)

    async def close_view(self, user_id: str, view_id: str | None = None) -> user_actions.Outcome:
        return await user_actions.close_view(self.sandbox, user_id, view_id or self.top_view(user_id).id)

    # ---- looking -----------------------------------------------------------------------------
    def _channel_id(self, ref: str) -> str:
        channel = self.workspace.resolve_channel(ref)
        if channel is None:
            raise LookupError(f"no channel {ref!r}")
        return channel.id

    def messages(self, channel: str, viewer: str | None = None) -> list[Message]:
        return self.workspace.history(self._channel_id(channel), viewer)

    def top_view(self, user_id: str) -> OpenView:
        stack = self.workspace.views_of(user_id)
        if not stack:
            raise LookupError(f"{user_id} has no open modal")
        return stack[-1]

    async def wait_for_message(self, channel: str, predicate: Callable[[Message], Any] = bool,
                               viewer: str | None = None, timeout: float = 10.0) -> Message:
        """The newest message in the channel matching predicate, awaiting changes until one does."""
        def found() -> Message | None:
            return next((m for m in reversed(self.messages(channel, viewer)) if predicate(m)), None)
        return await self.workspace.wait_until(found, timeout)

    async def wait_for_view(self, user_id: str, predicate: Callable[[OpenView], Any] = bool,
                            timeout: float = 10.0) -> OpenView:
        def found() -> OpenView | None:
            stack = self.workspace.views_of(user_id)
            return stack[-1] if stack and predicate(stack[-1]) else None
        return await self.workspace.wait_until(found, timeout)


@asynccontextmanager
async def run_sandbox(*, manifest: Path | None = None, endpoints: AppEndpoints | None = None,
                      app_base_url: str | None = None, clock: Clock | None = None,
                      bot_token: str | None = None, signing_secret: str | None = None,
                      host: str = "127.0.0.1", port: int = 0,
                      bot_channels: tuple[str, ...] = (APPROVAL_CHANNEL, ESCALATION_CHANNEL),
                      rate_limits: bool = False) -> AsyncIterator[RunningSandbox]:
    """A sandbox listening on a free port; endpoints and scopes from `manifest` (default: the
    project's). The bot is invited to `bot_channels` (the app's approval and escalation channels,
    as an admin would after installing it) and to no other. Slack's rate limits apply only with
    `rate_limits` (tests that measure load leave them off)."""
    if endpoints is None:
        path = manifest or (PROJECT_MANIFEST if PROJECT_MANIFEST.exists() else None)
        endpoints = AppEndpoints.from_manifest(path) if path else AppEndpoints()
    sandbox = Sandbox(clock=clock, endpoints=endpoints, bot_token=bot_token,
                      signing_secret=signing_secret, app_base_url=app_base_url, rate_limits=rate_limits)
    sandbox.install_app(bot_channels)
    runner = await start_server(sandbox, host, port)
    try:
        yield RunningSandbox(sandbox, runner.app[API_LOG_KEY])
    finally:
        await runner.cleanup()
