"""The dashboard's aiohttp application: the page, its static files, and the JSON/SSE API it reads.

Mounted by devhost under /_devhost: the page at /_devhost/dashboard/, the API at /_devhost/api/.
Actions (raise event, terminate, suspend, resume, purge) are not here: the page sends them to
devhost's durable management API, like any durable client.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from ..history import iso_time
from ..store import STATUSES, InstanceQuery, InstanceReader
from .changes import ChangeFeed
from .entity_view import entities_json
from .instance_view import instance_json, summary_json
from .queries import BadQuery, decode_cursor, encode_cursor, instance_page, list_query
from .waits import HandleLookup, OpenWaits

MOUNT = "/_devhost"
PAGE_PATH = MOUNT + "/dashboard/"
STATIC = Path(__file__).parent / "static"
DEFAULT_PAGE = 50
KEEP_ALIVE_SECONDS = 15.0

@dataclass
class Dashboard:
    """What the handlers share: the read-only store, the change feed, the open-wait finder."""
    reader: InstanceReader
    feed: ChangeFeed
    waits: OpenWaits
    now: Callable[[], datetime]
    hub: str


_DASHBOARD = web.AppKey("dashboard", Dashboard)


def _bad(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


async def page(request: web.Request) -> web.FileResponse:
    """The single page; the instance view has its own path so it can be linked and reloaded."""
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def to_page(request: web.Request) -> web.Response:
    raise web.HTTPFound(PAGE_PATH)


def _filter(query: Any) -> InstanceQuery:
    statuses = tuple(s.strip() for s in query.get("status", "").split(",") if s.strip())
    return list_query(statuses, name=query.get("name") or None,
                      id_prefix=query.get("prefix") or None)


async def list_instances(request: web.Request) -> web.Response:
    """GET /_devhost/api/instances?status=A,B&name=N&prefix=P&limit=50&after=<cursor>"""
    query = request.query
    try:
        flt = _filter(query)
        after = decode_cursor(query["after"]) if query.get("after") else None
        try:
            limit = int(query.get("limit") or DEFAULT_PAGE)
        except ValueError:
            raise BadQuery("limit must be a whole number") from None
        dash = request.app[_DASHBOARD]
        reader = dash.reader
        result = instance_page(reader, flt, after, limit)
        counts = reader.count_by_status(replace(flt, statuses=()))
        names = reader.names()
    except BadQuery as exc:
        return _bad(str(exc))
    total = sum(n for s, n in counts.items() if not flt.statuses or s in flt.statuses)
    return web.json_response({
        "hub": dash.hub,
        "instances": [summary_json(r) for r in result.rows],
        "next": encode_cursor(result.next_cursor) if result.next_cursor else None,
        "total": total,
        "counts": {s: counts.get(s, 0) for s in STATUSES},
        "names": names,
        "now": iso_time(dash.now()),
    })


async def list_entities(request: web.Request) -> web.Response:
    """GET /_devhost/api/entities?name=N&limit=50&after=<entity id>: state and queue lengths."""
    query = request.query
    try:
        limit = int(query.get("limit") or DEFAULT_PAGE)
    except ValueError:
        return _bad("limit must be a whole number")
    dash = request.app[_DASHBOARD]
    try:
        body = entities_json(dash.reader.entities, query.get("name") or None,
                             query.get("after") or None, limit)
    except BadQuery as exc:
        return _bad(str(exc))
    body["now"] = iso_time(dash.now())
    return web.json_response(body)


async def get_instance(request: web.Request) -> web.Response:
    """GET /_devhost/api/instances/{id}: status, open waits, pending timers, timeline."""
    instance_id = request.match_info["instance_id"]
    dash = request.app[_DASHBOARD]
    snap = dash.reader.snapshot(instance_id)
    if snap is None:
        return web.json_response({"error": f"no instance with id {instance_id!r}"}, status=404)
    body = instance_json(snap, dash.waits, dash.now())
    body["hub"] = dash.hub
    return web.json_response(body)


async def changes(request: web.Request) -> web.StreamResponse:
    """GET /_devhost/api/changes: server-sent events, one `change` per commit burst."""
    dash = request.app[_DASHBOARD]
    feed = dash.feed
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                           "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    version = feed.version
    try:
        await response.write(f"retry: 1000\nevent: hello\ndata: {version}\n\n".encode())
        while not feed.closed:
            seen = await feed.after(version, KEEP_ALIVE_SECONDS)
            if feed.closed:
                break
            if seen == version:
                await response.write(b": keep-alive\n\n")
                continue
            version = seen
            data = json.dumps({"version": version, "now": iso_time(dash.now())})
            await response.write(f"event: change\ndata: {data}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return response


def build_dashboard(reader: InstanceReader, *, hub: str, handles: HandleLookup,
                    now: Callable[[], datetime] | None = None) -> web.Application:
    """The sub-application devhost mounts at MOUNT, reading through `reader` (its own view of
    the store, closed with the app). `handles` finds an orchestrator's SDK handle by name (to
    replay it for its open waits); `now` is the host's clock."""
    app = web.Application()
    dash = Dashboard(reader, ChangeFeed(reader), OpenWaits(handles),
                     now or (lambda: datetime.now(UTC)), hub)
    app[_DASHBOARD] = dash

    async def started(app: web.Application) -> None:
        dash.feed.start()

    async def stopping(app: web.Application) -> None:
        await dash.feed.close()

    async def cleaned(app: web.Application) -> None:
        reader.close()

    app.on_startup.append(started)
    app.on_shutdown.append(stopping)
    app.on_cleanup.append(cleaned)
    app.router.add_get("/dashboard", to_page)
    app.router.add_get("/dashboard/", page)
    app.router.add_get("/dashboard/instances/{instance_id}", page)
    app.router.add_static("/dashboard/static", STATIC, append_version=False)
    app.router.add_get("/api/instances", list_instances)
    app.router.add_get("/api/instances/{instance_id}", get_instance)
    app.router.add_get("/api/entities", list_entities)
    app.router.add_get("/api/changes", changes)
    return app
