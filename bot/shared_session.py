"""One HTTP session per event loop (and time limit) for calls that would otherwise each open one.

slack_sdk and Bolt's ``respond`` create a fresh aiohttp session, and so a fresh connection, for
every call made without a session; on the ack path that was about half of a click's own time,
and each activity paid it again. A session belongs to the loop it was made on, so there is one
per loop. Functions offers no shutdown hook, so each session is closed by an async generator that
the loop finalizes when it shuts down (``shutdown_asyncgens``, as ``asyncio.run`` does).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator

import aiohttp

# loop -> time limit -> (the session, the generator that closes it)
_Sessions = dict[float, tuple[aiohttp.ClientSession, AsyncIterator[None]]]
_per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Sessions] = weakref.WeakKeyDictionary()


async def shared_session(timeout_seconds: float) -> aiohttp.ClientSession:
    """The running loop's session whose calls each have ``timeout_seconds`` in all."""
    sessions = _per_loop.setdefault(asyncio.get_running_loop(), {})
    current = sessions.get(timeout_seconds)
    if current is not None and not current[0].closed:
        return current[0]
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_seconds))
    closer = _closed_with_the_loop(session)
    await closer.__anext__()
    sessions[timeout_seconds] = (session, closer)
    return session


async def _closed_with_the_loop(session: aiohttp.ClientSession) -> AsyncIterator[None]:
    try:
        yield
    finally:
        await session.close()
