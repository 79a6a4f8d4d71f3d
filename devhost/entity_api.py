"""The extension's entity HTTP API (HttpApiHandler, route `entities/{entityName?}/{entityKey?}`),
on the same bases as the management API; the Python client's `signal_entity` and
`read_entity_state` call it.

GET    entities/{name}/{key}       200 with the state as JSON; 404 (empty) when it does not exist
GET    entities[/{name}]           the entities (of that name), filtered and paged like the
                                   extension: lastOperationTimeFrom/To, top, fetchState, and the
                                   x-ms-continuation-token header both ways
POST   entities/{name}[/{key}]     signal `?op=`, the body (if any) as its input: 202
DELETE entities/{name}/{key}       signal the operation "delete": 202
A key of `$` reads the entity whose key is empty. Refusals answer `{"Message": ...}`.

On Azure an entity also is an orchestration instance named by its scheduler id `@name@key`:
`GET instances/@name@key` answers its status here too; the other instance operations on such an
id answer 404 when the entity does not exist, else 400 naming the gap (never a bare 404, which the
client reads as "no such instance").
"""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aiohttp import web

from .engine import Engine
from .entities import EntityRefused
from .entity_store import EntityQuery, EntityRow, scheduler_id, split_scheduler_id
from .history import parse_time
from .status import seconds_time
from .store import StorageError

DEFAULT_PAGE = 100
TOKEN_HEADER = "x-ms-continuation-token"


def _message(status: int, text: str) -> web.Response:
    return web.json_response({"Message": text}, status=status)


class BadQuery(Exception):
    """A query parameter the API cannot read (400)."""


def _token(entity_id: str) -> str:
    return base64.urlsafe_b64encode(entity_id.encode()).decode()


def _after(token: str) -> str | None:
    if not token:
        return None
    try:
        entity_id = base64.b64decode(token.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeError, ValueError):
        entity_id = ""
    if not entity_id.startswith("@"):
        raise BadQuery(f"{TOKEN_HEADER} is not a token this API gave out")
    return entity_id


def _flag(value: str | None, default: bool, name: str) -> bool:
    if value is None:
        return default
    if value.strip().lower() not in ("true", "false"):
        raise BadQuery(f"{name} must be true or false")
    return value.strip().lower() == "true"


def _status_json(row: EntityRow, fetch_state: bool) -> dict[str, Any]:
    state = None
    if fetch_state and row.state is not None:
        try:
            state = json.loads(row.state)
        except ValueError:
            state = row.state
    return {"entityId": {"name": row.name, "key": row.key},
            "lastOperationTime": row.last_operation_time, "state": state}


class EntityApi:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def handle(self, request: web.Request, query: dict[str, str],
                     parts: list[str]) -> web.StreamResponse:
        """`parts`: the path segments after `entities`."""
        if len(parts) > 2:
            return web.Response(status=404)
        name = parts[0] if parts else ""
        key = parts[1] if len(parts) == 2 else ""
        try:
            if request.method == "GET":
                if len(parts) == 2:
                    return self._read(name, "" if key == "$" else key)
                return self._list(request, query, name.lower() or None)
            if request.method in ("POST", "DELETE"):
                if not name:
                    return _message(400, "Invalid entity id: entity name must not be a null or "
                                         "empty string.")
                operation = "delete" if request.method == "DELETE" else query.get("op", "")
                return await self._signal(request, name, key, operation)
            return web.Response(status=404)
        except (BadQuery, EntityRefused) as exc:
            return _message(400, str(exc))
        except StorageError as exc:
            return web.json_response(
                {"Message": f"devhost cannot read or write its state right now ({exc}); "
                            "nothing was changed, retry shortly"},
                status=503, headers={"Retry-After": "1"})

    def instance_status(self, request: web.Request, entity_id: str) -> web.Response:
        """`GET instances/@name@key`: the entity's scheduler as a Running instance."""
        entities = self.engine.store.entities
        row = entities.entity(entity_id)
        queued = entities.queue_lengths().get(entity_id, 0)
        if row is None and not queued:
            return web.Response(status=404)
        name, _key = split_scheduler_id(entity_id)
        when = seconds_time(row.last_operation_time) if row is not None else None
        body = {"name": name, "instanceId": entity_id, "runtimeStatus": "Running",
                "input": {"exists": row is not None, "state": row.state if row else None},
                "customStatus": {"entityExists": row is not None, "queueSize": queued},
                "output": None, "createdTime": when, "lastUpdatedTime": when}
        return web.json_response(body, status=202, headers={"Location": str(request.url),
                                                            "Retry-After": "5"})

    def _read(self, name: str, key: str) -> web.Response:
        row = self.engine.store.entities.entity(scheduler_id(name, key))
        if row is None:
            return web.Response(status=404)
        return web.Response(status=200, text=row.state or "null", content_type="application/json")

    def _list(self, request: web.Request, query: dict[str, str], name: str | None) -> web.Response:
        try:
            start = query.get("lastoperationtimefrom")
            end = query.get("lastoperationtimeto")
            top = int(query["top"]) if query.get("top") else DEFAULT_PAGE
            flt = EntityQuery(
                name=name,
                last_operation_from=parse_time(start) if start else None,
                last_operation_to=parse_time(end) if end else self.engine.clock.now(),
                after=_after(request.headers.get(TOKEN_HEADER, "")), limit=top)
        except ValueError as exc:
            raise BadQuery(f"Bad query: {exc}") from None
        if top < 1:
            raise BadQuery("top must be a positive whole number")
        fetch_state = _flag(query.get("fetchstate"), False, "fetchState")
        rows = self.engine.store.entities.entities(flt)
        token = _token(rows[-1].entity_id) if len(rows) == top else ""
        return web.json_response([_status_json(r, fetch_state) for r in rows],
                                 headers={TOKEN_HEADER: token})

    async def _signal(self, request: web.Request, name: str, key: str,
                      operation: str) -> web.Response:
        body = await request.read()
        input_json = None
        if body:
            text = body.decode("utf-8", errors="replace")
            if request.content_type.lower() == "application/json":
                try:
                    input_json = json.dumps(json.loads(text), separators=(",", ":"))
                except ValueError as exc:
                    return _message(400, f"Could not parse JSON content: {exc}")
            else:  # any other content is the input as a string
                input_json = json.dumps(text)
        self.engine.entities.signal(name, key, operation, input_json)
        return web.Response(status=202)


    def instance_operation(self, entity_id: str, operation: str) -> web.Response:
        """Any other instance operation on `@name@key`: not supported, so nothing changes."""
        entities = self.engine.store.entities
        if entities.entity(entity_id) is None and not entities.queue_lengths().get(entity_id, 0):
            return web.Response(status=404)
        return _message(400, f"devhost keeps entities apart from orchestration instances: "
                             f"'{operation}' on an entity's instance id (@name@key) is not "
                             "supported; use the entity API (entities/{name}/{key}) instead")
