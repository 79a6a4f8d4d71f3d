"""Shared runs: many callers asking for the same refresh at once get one run between them.

A burst of outcomes for one person (an approver clearing a queue of 500 requests by one requester)
would otherwise republish that person's App Home 500 times, each reading every request again.
Here a caller gets a run that starts after it asked, so the run sees everything the caller saw
happen; callers that ask while a run is going share the one queued to start after it. So at most
two runs per key exist at once, one running and one waiting, however many callers there are.

Runs belong to the event loop they were made on, so there is one registry per loop.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Hashable

Work = Callable[[], Awaitable[None]]


class SharedRuns:
    """The running and the queued run of each key, on one event loop."""

    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Task[None]] = {}
        self._queued: dict[Hashable, asyncio.Task[None]] = {}

    def request(self, key: Hashable, work: Work) -> asyncio.Task[None]:
        """A run of `work` (or of the equivalent work already queued for `key`) that starts now
        or once the current run of `key` has ended."""
        queued = self._queued.get(key)
        if queued is not None:
            return queued
        before = self._running.get(key)
        task = asyncio.ensure_future(self._run(key, before, work))
        (self._queued if before is not None else self._running)[key] = task
        return task

    async def _run(self, key: Hashable, before: asyncio.Task[None] | None, work: Work) -> None:
        this = asyncio.current_task()
        if before is not None:
            await asyncio.wait([before])  # its outcome is its own callers'
            del self._queued[key]
            self._running[key] = this  # type: ignore[assignment]
        try:
            await work()
        finally:
            if self._running.get(key) is this:
                del self._running[key]


_per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SharedRuns] = weakref.WeakKeyDictionary()


async def run_shared(key: Hashable, work: Work, timeout_seconds: float) -> None:
    """Wait up to `timeout_seconds` for a run of `work` for `key` that started after this call;
    TimeoutError if it takes longer (the run goes on for the others waiting on it)."""
    runs = _per_loop.setdefault(asyncio.get_running_loop(), SharedRuns())
    await asyncio.wait_for(asyncio.shield(runs.request(key, work)), timeout_seconds)
