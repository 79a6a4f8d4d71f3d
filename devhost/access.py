"""Who may call devhost: the rules for remote callers and for pages on other sites.

`func start` checks no keys because it is only meant to be reached from the same machine. devhost
is often reached through a tunnel (Slack must call it), and then anyone who learns the tunnel's
address could list, approve and terminate every instance. So a request is *local* only when it
names devhost by a loopback name (or the address it was told to bind), came from this machine and
was not forwarded by a proxy; anything else is *remote* and needs the host key (header
`x-functions-key` or `?code=`), as Azure demands a key, except for ANONYMOUS functions.

Keys do not stop a web page the developer happens to open: the browser sends its requests from
this machine, to a loopback name. Such a page cannot read the answers, but a simple POST (form,
text/plain) still arrives and would start or decide requests. So a state-changing request that the
browser marks as coming from another origin (`Origin`, `Sec-Fetch-Site`) is refused. Clients that
are not browsers (Slack, curl, the durable client) send neither header and are not affected. A
page on a rebinding domain (evil.example resolving to 127.0.0.1) is same-origin to itself but
names devhost as evil.example, so it is remote and meets the key check.
"""
from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

from .keys import key_matches

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
KEY_HEADER = "x-functions-key"
KEY_QUERY = "code"
# Set by reverse proxies and tunnel agents (cloudflared, ngrok, nginx, Caddy): whoever sent the
# request is not on this machine, even when the proxy rewrote Host to localhost.
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP",
                      "CF-Connecting-IP", "True-Client-IP")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@functools.lru_cache(maxsize=1024)  # every request asks again for the same few peers
def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address((text or "").split("%")[0])
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def split_host(host: str) -> tuple[str, int | None] | None:
    """`Host` header -> (lower-case name without brackets or trailing dot, port or None)."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return None
        name, rest = host[1:end], host[end + 1:]
    else:
        name, _, port_text = host.partition(":")
        rest = f":{port_text}" if _ else ""
    port: int | None = None
    if rest:
        if not rest.startswith(":") or not rest[1:].isdigit():
            return None
        port = int(rest[1:])
    name = name.rstrip(".")
    return (name, port) if name else None


def is_loopback_name(name: str) -> bool:
    if name == "localhost":
        return True
    address = _address(name)
    return address is not None and address.is_loopback


def _same_origin(origin: str, host: str | None) -> bool:
    """Does the browser's `Origin` name the same host and port the request was sent to?"""
    try:
        parts = urlsplit(origin)
        origin_port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return False
    target = split_host(host or "")
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or target is None:
        return False
    name, port = target
    return (parts.hostname.rstrip("."), origin_port) == \
        (name, port or _DEFAULT_PORTS[parts.scheme])


@dataclass(frozen=True)
class AccessPolicy:
    bound_host: str  # the --host devhost listens on; callers may name it in Host
    host_key: str

    def _allowed_name(self, name: str) -> bool:
        bound = split_host(self.bound_host) if self.bound_host else None
        return is_loopback_name(name) or (bound is not None and name == bound[0])

    def _from_this_machine(self, request: web.Request) -> bool:
        transport = request.transport
        if transport is None:
            return False
        peer, sock = transport.get_extra_info("peername"), transport.get_extra_info("sockname")
        peer_ip = _address(peer[0] if isinstance(peer, tuple) else None)
        sock_ip = _address(sock[0] if isinstance(sock, tuple) else None)
        return peer_ip is not None and (peer_ip.is_loopback or peer_ip == sock_ip)

    def is_local(self, request: web.Request) -> bool:
        target = split_host(request.headers.get("Host", ""))
        return (target is not None and self._allowed_name(target[0])
                and not any(h in request.headers for h in FORWARDING_HEADERS)
                and self._from_this_machine(request))

    def has_key(self, request: web.Request) -> bool:
        presented = request.headers.get(KEY_HEADER) or request.query.get(KEY_QUERY)
        return key_matches(presented, self.host_key)

    def cross_site(self, request: web.Request) -> str | None:
        """Why a browser request from another site may not change anything here, or None."""
        if request.method in SAFE_METHODS:
            return None
        fetch_site = request.headers.get("Sec-Fetch-Site", "").strip().lower()
        if fetch_site in ("cross-site", "same-site"):
            return f"the browser marked this request {fetch_site}"
        origin = request.headers.get("Origin")
        if origin is not None and not _same_origin(origin.strip(), request.headers.get("Host")):
            return f"it comes from the page at origin {origin.strip()!r}"
        return None


@dataclass(frozen=True)
class Access:
    """What the access check learnt about one request, for the router's per-function check."""
    local: bool
    keyed: bool

    def may_call(self, auth_level: str) -> bool:
        return auth_level == "ANONYMOUS" or self.local or self.keyed


ACCESS = web.RequestKey("devhost_access", Access)


def unauthorized(what: str) -> web.Response:
    return web.json_response(
        {"error": f"{what} needs the host key for requests from other machines or through a "
                  f"tunnel: send it as the {KEY_HEADER} header or ?{KEY_QUERY}=. devhost printed "
                  "where its key file is when it started."}, status=401)


def forbidden(reason: str) -> web.Response:
    return web.json_response(
        {"error": f"cross-site request refused: {reason}. Pages on other sites may not change "
                  "anything in devhost; nothing was changed."}, status=403)
