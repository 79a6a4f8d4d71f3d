"""The browser UI's routes: the page, its JSON actions, and a WebSocket of live changes."""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from . import user_actions
from .people import BOT_USER_ID, TEAM_NAME
from .sandbox import SANDBOX_KEY, Sandbox
from .workspace import Change, OpenView

STATIC_DIR = Path(__file__).parent / "static"
SOCKETS_KEY = web.AppKey("sockets", weakref.WeakSet)


def _sandbox(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-store"})


def _view_json(open_view: OpenView) -> dict[str, Any]:
    return {"id": open_view.id, "view": open_view.view, "errors": open_view.errors}


def _viewer(sandbox: Sandbox, request: web.Request, user_id: str | None) -> str:
    user = sandbox.workspace.users.get(user_id or "")
    if user is None or user.is_bot:
        raise web.HTTPBadRequest(text='{"ok": false, "error": "unknown user"}', content_type="application/json")
    return user.id


def snapshot(sandbox: Sandbox, me: str) -> dict[str, Any]:
    """Everything one person sees: the page's starting point."""
    workspace = sandbox.workspace
    users = [{**u.to_slack(), "is_bot": u.is_bot} for u in workspace.users.values()]
    channels = []
    for channel in workspace.channels_for(me):
        entry = channel.to_slack()
        if channel.is_im:
            entry["name"] = workspace.users[BOT_USER_ID].real_name
        channels.append(entry)
    return {
        "type": "state",
        "team": TEAM_NAME,
        "me": me,
        "humans": [u.id for u in workspace.humans()],
        "users": users,
        "channels": channels,
        "messages": {c["id"]: [m.to_ui() for m in workspace.history(c["id"], me)] for c in channels},
        "views": [_view_json(v) for v in workspace.views_of(me)],
        "home": workspace.home_views.get(me) if sandbox.endpoints.home_tab else None,
        "home_tab": sandbox.endpoints.home_tab,
        "commands": [{"command": c, "usage_hint": sandbox.endpoints.command_hints.get(c, "")}
                     for c in sandbox.endpoints.commands],
    }


async def state(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    return web.json_response(snapshot(sandbox, _viewer(sandbox, request, request.query.get("user"))))


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"ok": false, "error": "expected a JSON object"}',
                                 content_type="application/json")
    return body


async def _run(coro) -> web.Response:
    try:
        outcome = await coro
    except user_actions.ActionError as error:
        return web.json_response({"ok": False, "error": "invalid_action", "detail": str(error)}, status=400)
    return web.json_response(outcome.to_json())


async def post_message(request: web.Request) -> web.Response:
    body = await _body(request)
    return await _run(user_actions.send_message(_sandbox(request), str(body.get("user")),
                                                str(body.get("channel")), str(body.get("text") or "")))


async def click(request: web.Request) -> web.Response:
    body = await _body(request)
    return await _run(user_actions.click_button(_sandbox(request), str(body.get("user")), str(body.get("channel")),
                                                str(body.get("ts")), str(body.get("action_id")),
                                                body.get("block_id")))


async def open_home(request: web.Request) -> web.Response:
    body = await _body(request)
    return await _run(user_actions.open_home(_sandbox(request), str(body.get("user"))))


async def click_home(request: web.Request) -> web.Response:
    body = await _body(request)
    return await _run(user_actions.click_home_button(_sandbox(request), str(body.get("user")),
                                                     str(body.get("action_id")), body.get("block_id")))


async def submit_view(request: web.Request) -> web.Response:
    body = await _body(request)
    inputs = body.get("inputs") if isinstance(body.get("inputs"), dict) else {}
    return await _run(user_actions.submit_view(_sandbox(request), str(body.get("user")),
                                               request.match_info["view_id"], inputs))


async def close_view(request: web.Request) -> web.Response:
    body = await _body(request)
    return await _run(user_actions.close_view(_sandbox(request), str(body.get("user")),
                                              request.match_info["view_id"]))


async def live(request: web.Request) -> web.WebSocketResponse:
    """Push every change the viewer may see; the page applies them without reloading."""
    sandbox = _sandbox(request)
    wanted = sandbox.workspace.users.get(request.query.get("user") or "")
    viewer = wanted.id if wanted and not wanted.is_bot else sandbox.workspace.humans()[0].id
    socket = web.WebSocketResponse(heartbeat=20)
    await socket.prepare(request)
    request.app[SOCKETS_KEY].add(socket)
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def on_change(change: Change) -> None:
        if not change.visible_for(viewer):
            return
        if change.kind == "views":
            queue.put_nowait({"type": "views",
                              "views": [_view_json(v) for v in sandbox.workspace.views_of(viewer)]})
        elif change.kind == "home":
            queue.put_nowait({"type": "home", "view": sandbox.workspace.home_views.get(viewer)})
        elif change.kind == "delete" and change.message is not None:
            queue.put_nowait({"type": "delete", "channel": change.message.channel, "ts": change.message.ts})
        elif change.message is not None:
            queue.put_nowait({"type": "message", "message": change.message.to_ui()})

    unsubscribe = sandbox.workspace.subscribe(on_change)

    async def pump() -> None:
        while True:
            await socket.send_json(await queue.get())

    pumping = asyncio.create_task(pump())
    try:
        # Subscribed before the snapshot is taken, so nothing falls between the two.
        await socket.send_json(snapshot(sandbox, viewer))
        async for message in socket:
            if message.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                break
    finally:
        unsubscribe()
        pumping.cancel()
        request.app[SOCKETS_KEY].discard(socket)
    return socket


async def _close_sockets(app: web.Application) -> None:
    for socket in list(app[SOCKETS_KEY]):
        await socket.close(code=1001, message=b"server shutdown")


def add_routes(app: web.Application) -> None:
    app[SOCKETS_KEY] = weakref.WeakSet()
    app.on_shutdown.append(_close_sockets)
    app.router.add_get("/", index)
    app.router.add_get("/archives/{channel}/{ts}", index)
    app.router.add_static("/static", STATIC_DIR)
    app.router.add_get("/ui/state", state)
    app.router.add_get("/ui/live", live)
    app.router.add_post("/ui/message", post_message)
    app.router.add_post("/ui/click", click)
    app.router.add_post("/ui/home/open", open_home)
    app.router.add_post("/ui/home/click", click_home)
    app.router.add_post("/ui/views/{view_id}/submit", submit_view)
    app.router.add_post("/ui/views/{view_id}/close", close_view)
