"""One cheap change signal for every open dashboard page.

A single task polls the store's change token on the dashboard's read-only view every 250 ms
(it changes whenever the engine commits) while at least one page is listening, and wakes the
listeners. Pages then re-read what they show.
"""
from __future__ import annotations

import asyncio
import contextlib

from ..store import InstanceReader, StorageError

POLL_SECONDS = 0.25


class ChangeFeed:
    def __init__(self, reader: InstanceReader, interval: float = POLL_SECONDS) -> None:
        self._reader = reader
        self._interval = interval
        self.version = 0
        self._changed = asyncio.Event()
        self._listening = asyncio.Event()
        self._listeners = 0
        self._task: asyncio.Task[None] | None = None
        self.closed = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._poll(), name="devhost-dashboard-changes")

    async def close(self) -> None:
        """Stop polling and release every listener (the host is stopping)."""
        self.closed = True
        self._wake()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _poll(self) -> None:
        seen = self._token()
        while True:
            await self._listening.wait()
            await asyncio.sleep(self._interval)
            current = self._token()
            if current is not None and current != seen:
                seen = current
                self.version += 1
                self._wake()

    def _token(self) -> int | None:
        """The store's change token; None while it cannot be read (pages then just wait)."""
        try:
            return self._reader.change_token()
        except StorageError:
            return None

    async def after(self, version: int, timeout: float) -> int:
        """The version once it differs from `version` (or unchanged after `timeout`)."""
        self._listeners += 1
        self._listening.set()
        try:
            if self.version == version and not self.closed:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), timeout)
            return self.version
        finally:
            self._listeners -= 1
            if not self._listeners:
                self._listening.clear()
