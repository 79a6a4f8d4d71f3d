"""The aiohttp application: HTTP-triggered functions under the route prefix, and the durable
management API under /runtime/webhooks/durabletask and /durabletask."""
from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

from aiohttp import web

from .dashboard import MOUNT as DASHBOARD_MOUNT
from .functions import HttpFunction
from .http_triggers import invoke_http
from .management_api import ManagementApi
from .routes import RouteTemplate, compile_route
from .urls import RPC_PATH, WEBHOOK_PATH, DurableUrls


@dataclass(frozen=True)
class HttpRoute:
    template: RouteTemplate
    function: HttpFunction


def build_routes(functions: list[HttpFunction]) -> list[HttpRoute]:
    routes = [HttpRoute(compile_route(f.route), f) for f in functions]
    return sorted(routes, key=lambda r: -r.template.literal_chars)


class Router:
    def __init__(self, routes: list[HttpRoute], route_prefix: str, management: ManagementApi,
                 urls: DurableUrls, executor: Executor | None) -> None:
        self.routes = routes
        self.prefix = f"/{route_prefix}" if route_prefix else ""
        self.management = management
        self.urls = urls
        self.executor = executor

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        for base in (WEBHOOK_PATH, RPC_PATH):
            if path == base or path.startswith(base + "/"):
                parts = [p for p in path[len(base):].split("/") if p]
                return await self.management.handle(request, parts)
        if self.prefix and not (path == self.prefix or path.startswith(self.prefix + "/")):
            return web.Response(status=404)
        rest = path[len(self.prefix):]
        for route in self.routes:
            params = route.template.match(rest)
            if params is None:
                continue
            methods = route.function.methods
            if methods is not None and request.method not in methods:
                continue
            return await invoke_http(route.function, request, params,
                                     self.urls.client_binding_json(), self.executor)
        return web.Response(status=404)


def build_app(router: Router, dashboard: web.Application | None = None) -> web.Application:
    app = web.Application(client_max_size=100 * 1024 * 1024)
    if dashboard is not None:
        app.add_subapp(DASHBOARD_MOUNT, dashboard)

    async def handle(request: web.Request) -> web.StreamResponse:
        return await router(request)

    app.router.add_route("*", "/{tail:.*}", handle)
    return app
