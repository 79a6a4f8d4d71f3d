"""One HTTP session per event loop (and time limit) for calls that would otherwise each open one.

slack_sdk and Bolt's ``respond`` create a fresh aiohttp session, and so a fresh connection, for
every call made without a session; on the ack path that was about half of a click's own time,
and each activity paid it again. A session belongs to the loop it was made on, so there is one
per loop. It lives as long as its loop: Azure Functions offers no hook to close it, and the
process's end closes its sockets.
"""

from __future__ import annotations

import asyncio
import weakref

import aiohttp

_per_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[float, aiohttp.ClientSession]]" = (
    weakref.WeakKeyDictionary()
)


def shared_session(timeout_seconds: float) -> aiohttp.ClientSession:
    """The running loop's session whose calls each have ``timeout_seconds`` in all."""
    sessions = _per_loop.setdefault(asyncio.get_running_loop(), {})
    session = sessions.get(timeout_seconds)
    if session is None or session.closed:
        session = sessions[timeout_seconds] = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout_seconds)
        )
    return session
