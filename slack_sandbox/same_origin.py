"""Only the sandbox's own page may act through it.

The sandbox listens on loopback and anyone who reaches it may post as anyone, so a page from
another origin must not be able to drive it from a visitor's browser:
- the `Host` header must name a loopback address (or the interface it was told to listen on), which
  defeats DNS rebinding (a hostile name that resolves to 127.0.0.1);
- a state-changing request (anything but GET/HEAD/OPTIONS) and a WebSocket upgrade are refused
  when the browser says they come from elsewhere: an `Origin` that is not this origin, or
  `Sec-Fetch-Site` other than `same-origin` / `none`. Clients that are not browsers (the bot's
  slack_sdk, tests) send neither header and pass;
- the page's JSON actions take JSON only, so a form or text/plain post is never read as one.
Refusals are 403 with a JSON body.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _hostname(host_header: str) -> str:
    return (urlsplit(f"//{host_header}").hostname or "").lower()


def is_loopback(hostname: str) -> bool:
    if hostname in LOOPBACK_NAMES or hostname.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def refusal(error: str, detail: str) -> web.Response:
    return web.json_response({"ok": False, "error": error, "detail": detail}, status=403)


def guard(listening_host: str) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """The middleware; `listening_host` is also accepted in Host (e.g. a LAN address given to --host)."""
    extra = {listening_host.lower()} if listening_host and listening_host not in ("0.0.0.0", "::") else set()

    @web.middleware
    async def same_origin(request: web.Request, handler: Handler) -> web.StreamResponse:
        host_header = request.headers.get("Host", "")
        hostname = _hostname(host_header)
        if not (is_loopback(hostname) or hostname in extra):
            return refusal("unknown_host", f"Host {host_header!r} is not this sandbox's address")
        upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
        if request.method in SAFE_METHODS and not upgrade:
            return await handler(request)
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{host_header}":
            return refusal("cross_site_request", f"requests from {origin} may not act in this sandbox")
        fetch_site = request.headers.get("Sec-Fetch-Site")
        if fetch_site is not None and fetch_site not in ("same-origin", "none"):
            return refusal("cross_site_request", f"a {fetch_site} request may not act in this sandbox")
        if request.path.startswith("/ui/") and not upgrade and request.content_type != "application/json":
            return web.json_response({"ok": False, "error": "unsupported_media_type",
                                      "detail": "the page's actions take application/json"}, status=415)
        return await handler(request)

    return same_origin
