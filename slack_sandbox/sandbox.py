"""One running sandbox: the workspace, its grants, its tokens and its link to the app."""

from __future__ import annotations

import secrets
from pathlib import Path

from aiohttp import web

from .app_link import AppLink
from .clock import Clock, SystemClock
from .grants import Grants, ResponseUrl
from .manifest import AppEndpoints
from .people import APPROVAL_CHANNEL, APPROVER_IDS, BOT_USER_ID, ESCALATION_CHANNEL, TEAM_ID, Channel
from .rate_limits import RateLimits
from .workspace import Workspace


class Sandbox:
    def __init__(self, *, clock: Clock | None = None, endpoints: AppEndpoints | None = None,
                 bot_token: str | None = None, signing_secret: str | None = None,
                 app_base_url: str | None = None, workspace: Workspace | None = None,
                 rate_limits: bool = False) -> None:
        self.clock = clock or SystemClock()
        self.workspace = workspace or Workspace(self.clock)
        self.grants = Grants(self.clock)
        self.rate_limits = RateLimits(self.clock) if rate_limits else None  # None: unlimited
        self.endpoints = endpoints or AppEndpoints()
        self.bot_scopes: tuple[str, ...] = self.endpoints.bot_scopes  # as installed from the manifest
        # Fresh per run: the sandbox's credentials are throwaway, never real Slack ones.
        self.bot_token = bot_token or "xoxb-sandbox-" + secrets.token_hex(12)
        self.signing_secret = signing_secret or secrets.token_hex(16)
        self.link = AppLink(self.signing_secret, app_base_url)
        self.base_url = ""  # "http://127.0.0.1:<port>" once the server listens

    @classmethod
    def from_manifest(cls, manifest: Path, **kwargs) -> Sandbox:
        return cls(endpoints=AppEndpoints.from_manifest(manifest), **kwargs)

    @property
    def api_url(self) -> str:
        """What the app's SLACK_API_URL must be (slack_sdk base_url, trailing slash)."""
        return f"{self.base_url}/api/"

    def connect_app(self, app_base_url: str) -> None:
        """Where the app runs (the local Functions host); manifest paths are resolved against it."""
        self.link.app_base_url = app_base_url.rstrip("/")

    def install_app(self, channels: tuple[str, ...] = (APPROVAL_CHANNEL, ESCALATION_CHANNEL)) -> None:
        """What an admin does after installing the app: invite the bot to the channels it serves."""
        for ref in channels:
            self.invite_bot(ref)

    def invite_bot(self, ref: str) -> None:
        self.workspace.invite(self._channel(ref), BOT_USER_ID)

    def remove_bot(self, ref: str) -> None:
        self.workspace.remove(self._channel(ref), BOT_USER_ID)

    def _channel(self, ref: str) -> Channel:
        channel = self.workspace.resolve_channel(ref)
        if channel is None:
            raise LookupError(f"no channel {ref!r}")
        return channel

    def app_env(self) -> dict[str, str]:
        """Settings that point the bot at this sandbox."""
        return {
            "SLACK_BOT_TOKEN": self.bot_token,
            "SLACK_SIGNING_SECRET": self.signing_secret,
            "SLACK_API_URL": self.api_url,
            "APPROVAL_CHANNEL": APPROVAL_CHANNEL,
            "ESCALATION_CHANNEL": ESCALATION_CHANNEL,
            "APPROVER_USER_IDS": ",".join(APPROVER_IDS),
        }

    def response_url(self, grant: ResponseUrl) -> str:
        return f"{self.base_url}/hooks/{grant.kind}/{TEAM_ID}/{grant.token}"

    def permalink(self, channel_id: str, ts: str) -> str:
        return f"{self.base_url}/archives/{channel_id}/p{ts.replace('.', '')}"

    async def close(self) -> None:
        await self.link.close()


SANDBOX_KEY = web.AppKey("sandbox", Sandbox)
