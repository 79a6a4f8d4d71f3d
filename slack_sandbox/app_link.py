"""Signed HTTP requests from "Slack" to the app, and what came back.

Slack signs the raw body: v0=HMAC-SHA256(secret, "v0:<ts>:<body>"); we let slack_sdk's
SignatureVerifier compute it. Timestamps are real wall-clock time because the app's
verifier checks them against its own clock.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

ACK_TIMEOUT_SECONDS = 3.0


class DeliveryError(Exception):
    """The app could not be reached or did not ack in time; code is what Slack shows the user."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class AppReply:
    status: int
    content_type: str
    body: str

    def json(self) -> Any | None:
        """The body as JSON when it is JSON (by content type or by shape), else None."""
        text = self.body.strip()
        if not text or not (self.content_type == "application/json" or text.startswith("{")):
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None


class AppLink:
    def __init__(self, signing_secret: str, app_base_url: str | None = None,
                 ack_timeout: float = ACK_TIMEOUT_SECONDS) -> None:
        self.verifier = SignatureVerifier(signing_secret)
        self.app_base_url = app_base_url.rstrip("/") if app_base_url else None
        self.ack_timeout = ack_timeout
        self._session: aiohttp.ClientSession | None = None

    def url_for(self, path: str) -> str:
        if not self.app_base_url:
            raise DeliveryError("dispatch_failed", "no app is connected to the sandbox")
        return self.app_base_url + path

    def signed_headers(self, body: str, timestamp: int | None = None,
                       content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }

    async def send_form(self, path: str, fields: dict[str, str]) -> AppReply:
        """POST a signed form to the app and return its ack, or raise DeliveryError."""
        return await self._send(path, urlencode(fields), "application/x-www-form-urlencoded")

    async def send_event(self, path: str, envelope: dict[str, Any]) -> AppReply:
        """POST a signed Events API envelope (JSON, as Slack sends events)."""
        return await self._send(path, json.dumps(envelope), "application/json")

    async def _send(self, path: str, body: str, content_type: str) -> AppReply:
        url = self.url_for(path)
        session = await self._session_()
        try:
            async with asyncio.timeout(self.ack_timeout):
                async with session.post(url, data=body.encode(),
                                        headers=self.signed_headers(body, content_type=content_type)) as resp:
                    text = await resp.text()
                    content_type = resp.content_type
        except TimeoutError:
            raise DeliveryError("operation_timeout", f"no answer from {url} within {self.ack_timeout:g} s") from None
        except aiohttp.ClientError as error:
            raise DeliveryError("dispatch_failed", f"{url}: {error}") from None
        return AppReply(resp.status, content_type, text)

    async def send_payload(self, path: str, payload: dict[str, Any]) -> AppReply:
        return await self.send_form(path, {"payload": json.dumps(payload)})

    async def _session_(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
