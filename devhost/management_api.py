"""The durable extension's HTTP management API (HttpApiHandler), served on both the public
webhook base (/runtime/webhooks/durabletask) and the RPC base (/durabletask) the client uses.
Status codes and JSON shapes follow protocol doc §2.1-§2.4."""
from __future__ import annotations

import asyncio
import json
import math
from dataclasses import replace
from typing import Any

from aiohttp import web

from .continuation import BadToken, key_from_token, token_after
from .engine import Engine
from .entity_api import EntityApi
from .history import parse_time
from .operations import OperationError, Operations, Outcome
from .status import history_events, status_json
from .store import TERMINAL, InstanceKey, InstanceQuery, StorageError
from .urls import DurableUrls

_ARGUMENT = "System.ArgumentException"
_INVALID_OPERATION = "System.InvalidOperationException"
MAX_WAIT_SECONDS = 3600  # longest ?timeout= a start may hold its request open


def _error(status: int, message: str, exception_message: str | None = None,
           exception_type: str | None = None) -> web.Response:
    body: dict[str, Any] = {"Message": message}
    if exception_message is not None:
        body.update(ExceptionMessage=exception_message, ExceptionType=exception_type,
                    StackTrace=None)
    return web.json_response(body, status=status)


def _operation_error(exc: OperationError) -> web.Response:
    if exc.bad_request:
        return _error(400, exc.message, exc.exception_message, _ARGUMENT)
    return _error(500, exc.message, exc.exception_message, _INVALID_OPERATION)


class BadContent(Exception):
    """The request body is not what the API accepts (400 with a plain message)."""


async def _json_text(request: web.Request) -> str | None:
    """The body parsed once and serialized again, as the extension stores it (trap T1)."""
    body = await request.read()
    if not body.strip():
        return None
    try:
        return json.dumps(json.loads(body))
    except ValueError:
        raise BadContent("Invalid JSON content") from None


def _flag(query: dict[str, str], name: str, default: bool) -> bool:
    value = query.get(name.lower())
    return default if value is None else value.strip().lower() == "true"


class ManagementApi:
    def __init__(self, engine: Engine, urls: DurableUrls) -> None:
        self.engine = engine
        self.ops = Operations(engine)
        self.urls = urls
        self.entities = EntityApi(engine)

    async def handle(self, request: web.Request, parts: list[str]) -> web.StreamResponse:
        query = {k.lower(): v for k, v in request.query.items()}
        method = request.method
        if parts and parts[0].lower() == "entities":
            return await self.entities.handle(request, query, parts[1:])
        try:
            if parts and parts[0].lower() == "orchestrators" and 2 <= len(parts) <= 3 \
                    and method == "POST":
                instance_id = parts[2] if len(parts) == 3 else None
                return await self._start(request, query, parts[1], instance_id)
            if not parts or parts[0].lower() != "instances":
                return web.Response(status=404)
            if len(parts) == 1:
                if method == "GET":
                    return self._list(request, query)
                if method == "DELETE":
                    return self._purge_by(query)
                return web.Response(status=404)
            instance_id = parts[1]
            if instance_id.startswith("@"):  # an entity's scheduler id
                if len(parts) == 2 and method == "GET":
                    return self.entities.instance_status(request, instance_id)
                return self.entities.instance_operation(instance_id, parts[2] if len(parts) > 2 else method)
            if len(parts) == 2:
                if method == "GET":
                    return self._status(request, query, instance_id)
                if method == "DELETE":
                    deleted = self.ops.purge(instance_id)
                    return web.json_response({"instancesDeleted": 1}) if deleted \
                        else web.Response(status=404)
                return web.Response(status=404)
            if method != "POST":
                return web.Response(status=404)
            operation = parts[2].lower()
            if operation == "raiseevent" and len(parts) == 4:
                return await self._raise(request, instance_id, parts[3])
            if len(parts) != 3:
                return web.Response(status=404)
            return self._instance_operation(request, query, instance_id, operation)
        except OperationError as exc:
            return _operation_error(exc)
        except BadContent as exc:
            return _error(400, str(exc))
        except StorageError as exc:
            # Nothing was written; the engine retries its own work and resumes by itself.
            return web.json_response(
                {"Message": f"devhost cannot write its state right now ({exc}); "
                            "nothing was changed, retry shortly"},
                status=503, headers={"Retry-After": "1"})

    # -- start -----------------------------------------------------------------------------
    async def _start(self, request: web.Request, query: dict[str, str], name: str,
                     instance_id: str | None) -> web.StreamResponse:
        timeout = None
        if "timeout" in query:
            timeout = _wait_seconds(query["timeout"])
            if timeout is None:
                return _error(400, "timeout must be a finite number of seconds from 0 to "
                                   f"{MAX_WAIT_SECONDS}")
        new_id = self.ops.start(name, instance_id, await _json_text(request),
                                version=query.get("version"))
        if timeout is not None:
            return await self._wait_for_completion(request, new_id, timeout)
        return self._check_status_response(request, new_id)

    def _check_status_response(self, request: web.Request, instance_id: str) -> web.Response:
        payload = self.urls.management_payload(instance_id, str(request.url.origin()))
        return web.json_response(payload, status=202, headers={
            "Location": payload["statusQueryGetUri"], "Retry-After": "10"})

    async def _wait_for_completion(self, request: web.Request, instance_id: str,
                                   timeout: float) -> web.Response:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            change = self.engine.next_change()  # captured before the read: no change is missed
            row = self.engine.store.instance(instance_id)
            if row is not None and row.runtime_status in TERMINAL:
                change.close()
                status = status_json(row)
                if row.runtime_status == "Completed":
                    return web.json_response(status["output"], status=200)
                return web.json_response(status, status=500 if row.runtime_status == "Failed"
                                         else 200)
            try:
                await asyncio.wait_for(change, max(deadline - loop.time(), 0))
            except TimeoutError:
                return self._check_status_response(request, instance_id)

    # -- events and status -----------------------------------------------------------------
    async def _raise(self, request: web.Request, instance_id: str, event_name: str) -> web.Response:
        row = self.engine.store.instance(instance_id)
        if row is None:
            return web.Response(status=404)
        if row.runtime_status in TERMINAL:
            return web.Response(status=410)
        if request.content_type.lower() != "application/json":
            return _error(400, "Only application/json request content is supported")
        outcome = self.ops.raise_event(instance_id, event_name, await _json_text(request))
        return web.Response(status={Outcome.ACCEPTED: 202, Outcome.NOT_FOUND: 404,
                                    Outcome.GONE: 410}[outcome])

    def _status(self, request: web.Request, query: dict[str, str],
                instance_id: str) -> web.Response:
        row = self.engine.store.instance(instance_id)
        if row is None:
            return web.Response(status=404)
        show_input = _flag(query, "showInput", True)
        body = status_json(row, show_input=show_input)
        if _flag(query, "showHistory", False):
            body["historyEvents"] = history_events(
                self.engine.store.history(instance_id), show_input=show_input,
                show_output=_flag(query, "showHistoryOutput", False))
        status = row.runtime_status
        if status in TERMINAL:
            code = 500 if status == "Failed" and _flag(
                query, "returnInternalServerErrorOnFailure", False) else 200
            return web.json_response(body, status=code)
        return web.json_response(body, status=202, headers={
            "Location": str(request.url), "Retry-After": "5"})

    def _filters(self, query: dict[str, str], *, default_to_now: bool) -> InstanceQuery:
        created_from = None
        if "createdtimefrom" in query:
            created_from = parse_time(query["createdtimefrom"])
        to = query.get("createdtimeto")
        created_to = None
        if to is not None or default_to_now:
            created_to = parse_time(to) if to else self.engine.clock.now()
        statuses: tuple[str, ...] = ()
        if query.get("runtimestatus"):
            statuses = tuple(s.strip() for s in query["runtimestatus"].split(",") if s.strip())
        return InstanceQuery(statuses=statuses, id_prefix=query.get("instanceidprefix") or None,
                             created_from=created_from, created_to=created_to)

    def _list(self, request: web.Request, query: dict[str, str]) -> web.Response:
        """One page of the instances that match the filters, oldest first. With `top`, a page
        holds at most that many and `x-ms-continuation-token` names where the next one starts
        (absent on the last page); without it, every match (the SDK's get_status_* never page)."""
        try:
            filters = self._filters(query, default_to_now=False)
            top = int(query["top"]) if query.get("top") else 0
        except ValueError as exc:
            return _error(400, f"Bad query: {exc}")
        token = request.headers.get("x-ms-continuation-token", "").strip()
        try:
            after = key_from_token(token) if token else None
        except BadToken as exc:
            return _error(400, str(exc), str(exc), _ARGUMENT)
        page = top if top > 0 else None
        rows = self.engine.store.instances(replace(
            filters, after=after, limit=page + 1 if page is not None else None))
        headers = {}
        if page is not None and len(rows) > page:
            rows = rows[:page]
            last = rows[-1]
            headers["x-ms-continuation-token"] = token_after(
                InstanceKey(last.created_time, last.instance_id))
        show_input = _flag(query, "showInput", True)
        return web.json_response([status_json(r, show_input=show_input) for r in rows],
                                 headers=headers)

    def _purge_by(self, query: dict[str, str]) -> web.Response:
        if "createdtimefrom" not in query:
            return _error(400, "Please provide value for 'createdTimeFrom' parameter.")
        try:
            filters = self._filters(query, default_to_now=True)
        except ValueError as exc:
            return _error(400, f"Bad query: {exc}")
        deleted = self.ops.purge_by(filters)
        return web.json_response({"instancesDeleted": deleted}) if deleted \
            else web.Response(status=404)

    # -- terminate / suspend / resume / restart / rewind -----------------------------------
    def _instance_operation(self, request: web.Request, query: dict[str, str], instance_id: str,
                            operation: str) -> web.Response:
        reason = query.get("reason")
        if operation == "restart":
            new_id = self.ops.restart(instance_id, _flag(query, "restartWithNewInstanceId", True))
            return self._check_status_response(request, new_id)
        if operation == "rewind":
            row = self.engine.store.instance(instance_id)
            if row is None:
                return web.Response(status=404)
            if row.runtime_status != "Failed":
                return web.Response(status=410)
            return _error(400, "rewind is not supported by devhost")
        actions = {"terminate": self.ops.terminate, "suspend": self.ops.suspend,
                   "resume": self.ops.resume}
        if operation not in actions:
            return web.Response(status=404)
        outcome = actions[operation](instance_id, reason)
        if outcome is Outcome.INVALID:
            row = self.engine.store.instance(instance_id)
            state = row.runtime_status if row is not None else "unknown"
            return _error(500, "Something went wrong while processing your request",
                          f"Cannot {operation} orchestration instance in the "
                          f"{state} state.", _INVALID_OPERATION)
        return web.Response(status={Outcome.ACCEPTED: 202, Outcome.NOT_FOUND: 404,
                                    Outcome.GONE: 410}[outcome])


def _wait_seconds(text: str) -> float | None:
    """`?timeout=` as seconds, or None when it is not a finite number in range."""
    try:
        seconds = float(text)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and 0 <= seconds <= MAX_WAIT_SECONDS else None
