"""The sandbox's aiohttp application: Web API, response_url hooks and the web UI on one port."""

from __future__ import annotations

from aiohttp import web

from . import ui
from .response_urls import handle_response_url
from .same_origin import guard
from .sandbox import SANDBOX_KEY, Sandbox
from .web_api import API_LOG_KEY, ApiLog, handle_api


def create_app(sandbox: Sandbox, host: str = "127.0.0.1") -> web.Application:
    app = web.Application(client_max_size=4 * 1024 * 1024, middlewares=[guard(host)])
    app[SANDBOX_KEY] = sandbox
    app[API_LOG_KEY] = ApiLog()
    app.router.add_route("GET", "/api/{method}", handle_api)
    app.router.add_route("POST", "/api/{method}", handle_api)
    app.router.add_post("/hooks/{kind}/{team}/{token}", handle_response_url)
    ui.add_routes(app)

    async def _close(_: web.Application) -> None:
        await sandbox.close()

    app.on_cleanup.append(_close)
    return app


async def start_server(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> web.AppRunner:
    """Listen (port 0 = any free port) and set sandbox.base_url; the caller cleans up the runner."""
    app = create_app(sandbox, host)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    sandbox.base_url = f"http://{host}:{bound}"
    return runner
