"""The aiohttp application: HTTP-triggered functions under the route prefix, and the durable
management API under /runtime/webhooks/durabletask and /durabletask.

Every request first passes the access check (access.py): cross-site changes are refused here;
remote callers without the host key reach only ANONYMOUS functions, which the router decides
because only it knows which function a path names."""
from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from .access import ACCESS, Access, AccessPolicy, forbidden, unauthorized
from .dashboard import MOUNT as DASHBOARD_MOUNT
from .functions import HttpFunction
from .http_triggers import invoke_http
from .lanes import Lanes
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
            access = request.get(ACCESS)
            if access is None or not access.may_call(route.function.auth_level):
                return unauthorized(f"Function {route.function.name!r} "
                                    f"(auth level {route.function.auth_level})")
            return await invoke_http(route.function, request, params,
                                     self.urls.client_binding_json(), self.executor)
        return web.Response(status=404)


def _is_under(path: str, base: str) -> bool:
    return path == base or path.startswith(base + "/")


def access_middleware(policy: AccessPolicy) -> Middleware:
    """Refuse cross-site changes (403) and keyless remote calls to everything but functions
    (401), before any handler runs; record what was learnt for the router."""

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        reason = policy.cross_site(request)
        if reason is not None:
            return forbidden(reason)
        access = Access(local=policy.is_local(request), keyed=policy.has_key(request))
        request[ACCESS] = access
        if not (access.local or access.keyed):
            path = request.path
            if _is_under(path, WEBHOOK_PATH) or _is_under(path, RPC_PATH):
                return unauthorized("The durable management API")
            if _is_under(path, DASHBOARD_MOUNT):
                return unauthorized("The dashboard")
        return await handler(request)

    return check


def goes_first(request: web.Request) -> bool:
    """HTTP functions and changes of state run ahead of background work. Reads of the
    management API and the dashboard (status polls, listings) take their place in the loop as
    before: answering a poll sooner only makes it poll again, at the orchestrations' expense."""
    if request.method not in ("GET", "HEAD"):
        return True
    path = request.path
    return not any(_is_under(path, base) for base in (WEBHOOK_PATH, RPC_PATH, DASHBOARD_MOUNT))


def requests_first(lanes: Lanes) -> Middleware:
    """Count every step of a request that goes first as request work (lanes.py)."""

    @web.middleware
    async def first(request: web.Request, handler: Handler) -> web.StreamResponse:
        if goes_first(request):
            return await lanes.request(handler(request))
        return await handler(request)

    return first


def build_app(router: Router, policy: AccessPolicy,
              dashboard: web.Application | None = None,
              lanes: Lanes | None = None) -> web.Application:
    middlewares = [access_middleware(policy)]
    if lanes is not None:
        middlewares.insert(0, requests_first(lanes))
    app = web.Application(client_max_size=100 * 1024 * 1024, middlewares=middlewares)
    if dashboard is not None:
        app.add_subapp(DASHBOARD_MOUNT, dashboard)

    async def handle(request: web.Request) -> web.StreamResponse:
        return await router(request)

    app.router.add_route("*", "/{tail:.*}", handle)
    return app
