"""One Slack HTTP request in, one response out: settings, app, adapter and Bolt wired together."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk.signature import SignatureVerifier

from bot.config import ConfigError, slack_settings
from bot.slack.adapter import PlainResponse, from_bolt_response, json_response, to_bolt_request
from bot.slack.app import slack_app
from bot.slack.shape import malformed_reason
from bot.workflow.client import WorkflowClient
from bot.workflow.listing import Listing

log = logging.getLogger(__name__)


async def handle_slack_request(
    body: bytes,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    durable_client: Any,
) -> PlainResponse:
    """Dispatch a Slack command or interaction to the Bolt app.

    Not configured or misconfigured Slack answers 503 with the reason; nothing here ever lets a
    traceback reach the caller.
    """
    try:
        settings = slack_settings()
    except ConfigError as error:
        log.error("Slack is misconfigured: %s", error)
        return json_response(503, f"Slack is misconfigured: {error}")
    if settings is None:
        return json_response(503, "Slack is not configured (SLACK_BOT_TOKEN is not set)")

    # Slack's signature first (slack_sdk's verifier; Bolt checks it again), so an unsigned
    # request is a 401 whatever its body, and only signed bodies are read any further.
    if not _signed(settings.signing_secret, body, headers):
        return json_response(401, "invalid request")
    try:
        context = {"workflow": WorkflowClient(durable_client), "listing": Listing(durable_client),
                   "slack_settings": settings}
        request = to_bolt_request(body, headers, query, context)
    except Exception:  # noqa: BLE001 - Bolt could not read the body at all
        log.warning("unreadable Slack request body", exc_info=True)
        return json_response(400, "unreadable request body")
    reason = malformed_reason(request.body)
    if reason is not None:
        log.warning("rejected a malformed Slack request: %s", reason)
        return json_response(400, f"malformed request: {reason}")

    try:
        response = await slack_app(settings).async_dispatch(request)
    except Exception:
        log.exception("Slack request failed")
        return json_response(500, "internal error")
    return from_bolt_response(response)


def _signed(secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        return SignatureVerifier(secret).is_valid_request(body, lowered)
    except (ValueError, TypeError, OverflowError):  # a timestamp that is no time, a signature that is no hex
        return False
