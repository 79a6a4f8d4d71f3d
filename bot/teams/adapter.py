"""An Azure Functions HTTP request as the Agents SDK's HttpRequestProtocol, and the SDK's
adapter with this app's error handling. The SDK owns no web server; this is the whole bridge."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from microsoft_agents.hosting.core import ClaimsIdentity, HttpAdapterBase, HttpResponse, MessageFactory, TurnContext

from bot.teams.auth import ClientFactory
from bot.teams.config import TeamsSettings

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again."


class FunctionsRequest:
    """One already-authenticated POST: its headers, its parsed JSON body and the caller's claims."""

    def __init__(self, headers: Mapping[str, str], body: dict[str, Any], claims: ClaimsIdentity) -> None:
        self._headers = dict(headers)
        self._body = body
        self._claims = claims

    @property
    def method(self) -> str:
        return "POST"

    @property
    def headers(self) -> Mapping[str, str]:
        return self._headers

    async def json(self) -> dict[str, Any]:
        return self._body

    def get_claims_identity(self) -> ClaimsIdentity:
        return self._claims

    def get_path_param(self, name: str) -> str:
        return ""


@dataclass(frozen=True)
class PlainResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, message: str) -> PlainResponse:
    return PlainResponse(status, json.dumps({"error": message}).encode(), {"Content-Type": "application/json"})


def from_sdk_response(response: HttpResponse) -> PlainResponse:
    headers = dict(response.headers or {})
    if response.body is None:
        return PlainResponse(response.status_code, b"", headers)
    headers.setdefault("Content-Type", response.content_type or "application/json")
    return PlainResponse(response.status_code, json.dumps(response.body, default=_json_safe).encode(), headers)


def _json_safe(value: Any) -> Any:
    """The SDK puts an Exception(code, message) in its invoke error answers."""
    if isinstance(value, Exception):
        return {"code": str(value.args[0]) if value.args else "Error",
                "message": str(value.args[1]) if len(value.args) > 1 else ""}
    return str(value)


class FunctionsAdapter(HttpAdapterBase):
    """The SDK's HTTP adapter; a failing turn is logged (never shown) and the person told sorry."""

    def __init__(self, settings: TeamsSettings) -> None:
        super().__init__(channel_service_client_factory=ClientFactory(settings))

        async def on_turn_error(context: TurnContext, error: Exception) -> None:
            log.error("Teams turn failed: %s", type(error).__name__, exc_info=error)
            if context.activity.type == "message":
                try:
                    await context.send_activity(MessageFactory.text(SORRY))
                except Exception:  # noqa: BLE001 - the connector may be what failed
                    log.warning("could not tell the sender about the failure")

        self.on_turn_error = on_turn_error


@lru_cache(maxsize=8)
def adapter_for(settings: TeamsSettings) -> FunctionsAdapter:
    """One adapter per configuration (it keeps nothing per conversation)."""
    return FunctionsAdapter(settings)
