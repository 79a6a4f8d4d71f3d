"""Slack's Web API transport: <sandbox>/api/<method>, as slack_sdk calls it.

Arguments arrive as a query string, a form or a JSON body; the token as
"Authorization: Bearer" or (forms and queries only) a token field. Errors come back as
HTTP 200 with {"ok": false, "error": "<code>"}, like Slack's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from . import scopes
from .methods import METHODS, ApiError, Args
from .sandbox import SANDBOX_KEY, Sandbox


@dataclass
class Fault:
    """A failure to inject on the next calls of a method (tests of the bot's retries)."""

    status: int = 429
    error: str = "ratelimited"
    retry_after: int | None = 1
    times: int = 1
    applied: bool = False  # the call takes effect and only its answer fails (lost on the way back)


@dataclass
class ApiLog:
    """Every Web API call the sandbox answered, for tests and the traffic view."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["method"] == method]


API_LOG_KEY = web.AppKey("api_log", ApiLog)


async def handle_api(request: web.Request) -> web.Response:
    sandbox: Sandbox = request.app[SANDBOX_KEY]
    log: ApiLog = request.app[API_LOG_KEY]
    method = request.match_info["method"]
    headers = {"x-oauth-scopes": ",".join(sandbox.bot_scopes), **scopes.accepted_header(method)}
    try:
        args, token = await _arguments(request)
    except ApiError as error:
        return _answer(log, method, {}, error.body(), headers)
    limited = _rate_limited(sandbox, method, args, token)
    if limited is not None:
        body = {"ok": False, "error": "ratelimited"}
        log.calls.append({"method": method, "args": args, "response": body, "retry_after": limited})
        return web.json_response(body, status=429, headers={**headers, "Retry-After": str(limited)})
    fault = _take_fault(log, method)
    if fault is None:
        return _answer(log, method, args, _outcome(sandbox, method, args, token), headers)
    entry: dict[str, Any] = {"method": method, "args": args, "response": {"ok": False, "error": fault.error}}
    if fault.applied:
        entry["effect"] = _outcome(sandbox, method, args, token)
    log.calls.append(entry)
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    return web.json_response({"ok": False, "error": fault.error}, status=fault.status, headers=headers)


def _outcome(sandbox: Sandbox, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
    """What Slack does with the call, as its JSON answer."""
    implementation = METHODS.get(method)
    if implementation is None:
        return {"ok": False, "error": "unknown_method"}
    if not token:
        return {"ok": False, "error": "not_authed"}
    if token != sandbox.bot_token:
        return {"ok": False, "error": "invalid_auth"}
    refused = _missing_scope(sandbox, method, args)
    if refused is not None:
        return refused
    try:
        return {"ok": True, **implementation(sandbox, Args(args))}
    except ApiError as error:
        return error.body()


def _rate_limited(sandbox: Sandbox, method: str, args: dict[str, Any], token: str | None) -> int | None:
    """Retry-After seconds if the bot's call is over Slack's limit for it, else None."""
    if sandbox.rate_limits is None or token != sandbox.bot_token:
        return None
    ref = args.get("channel")
    channel = sandbox.workspace.resolve_channel(ref) if isinstance(ref, str) and ref.strip() else None
    return sandbox.rate_limits.retry_after(method, channel.id if channel else None)


def _missing_scope(sandbox: Sandbox, method: str, args: dict[str, Any]) -> dict[str, Any] | None:
    """Checked before the method runs, against the conversation it names (if any)."""
    ref = args.get("channel")
    channel = sandbox.workspace.resolve_channel(ref) if isinstance(ref, str) and ref.strip() else None
    default_kind = scopes.IM if method == "conversations.open" else scopes.PUBLIC  # users= opens a DM
    return scopes.missing_scope(method, sandbox.bot_scopes, channel, default_kind=default_kind)


def _answer(log: ApiLog, method: str, args: dict[str, Any], body: dict[str, Any],
            headers: dict[str, str]) -> web.Response:
    log.calls.append({"method": method, "args": args, "response": body})
    return web.json_response(body, headers=headers)


def _take_fault(log: ApiLog, method: str) -> Fault | None:
    queue = log.faults.get(method)
    if not queue:
        return None
    fault = queue[0]
    fault.times -= 1
    if fault.times <= 0:
        queue.pop(0)
    return fault


async def _arguments(request: web.Request) -> tuple[dict[str, Any], str | None]:
    args: dict[str, Any] = dict(request.query)
    token = None
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = json.loads(await request.text() or "{}")
            except ValueError:
                raise ApiError("invalid_json") from None
            if not isinstance(body, dict):
                raise ApiError("invalid_json")
            body.pop("token", None)  # Slack does not read a token from a JSON body
            args.update(body)
        else:
            form = await request.post()
            args.update({k: v for k, v in form.items() if isinstance(v, str)})
    form_token = args.pop("token", None)
    return args, token or form_token
