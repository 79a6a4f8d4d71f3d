"""One Teams HTTP request in, one response out: settings, token, body, then the SDK.

The token is checked before the body is read, so a request without a valid Bot Framework token
is a 401 whatever it carries, and nothing starts or changes. No traceback ever reaches the caller.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from microsoft_agents.activity import Activity
from pydantic import ValidationError

from bot.config import ConfigError
from bot.teams.adapter import FunctionsRequest, PlainResponse, adapter_for, from_sdk_response, json_response
from bot.teams.auth import Unauthorized, verified_identity
from bot.teams.bot import ExpenseBot
from bot.teams.config import teams_settings
from bot.workflow.client import WorkflowClient
from bot.workflow.listing import Listing

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024


async def handle_teams_request(body: bytes, headers: Mapping[str, str], durable_client: Any) -> PlainResponse:
    try:
        settings = teams_settings()
    except ConfigError as error:
        log.error("Teams is misconfigured: %s", error)
        return json_response(503, f"Teams is misconfigured: {error}")
    if settings is None:
        return json_response(503, "Teams is not configured (set TEAMS_APP_ID, or TEAMS_ENABLED for the Playground)")

    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        claims = await verified_identity(settings, lowered.get("authorization"))
    except Unauthorized as refused:
        return json_response(401, f"unauthorized: {refused}")

    if len(body) > MAX_BODY_BYTES:
        return json_response(413, "request body too large")
    try:
        activity = json.loads(body)
    except (ValueError, RecursionError):
        return json_response(400, "the body is not JSON")
    if not isinstance(activity, dict):
        return json_response(400, "the body must be an activity (a JSON object)")
    try:
        Activity.model_validate(activity)
    except ValidationError as invalid:
        first: dict[str, Any] = dict(invalid.errors()[0]) if invalid.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ())) or "activity"
        return json_response(400, f"not an activity: {where}: {first.get('msg', 'invalid')}")

    bot = ExpenseBot(settings, WorkflowClient(durable_client), Listing(durable_client))
    try:
        response = await adapter_for(settings).process_request(FunctionsRequest(headers, activity, claims), bot)
    except Exception:
        log.exception("Teams request failed")
        return json_response(500, "internal error")
    return from_sdk_response(response)
