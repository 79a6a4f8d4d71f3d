"""Where devhost gets the time from.

Every timestamp the host writes (history, status times, timer deadlines) comes from a clock
object, so tests can swap the wall clock for a virtual one and skip days in milliseconds.
"""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    async def sleep_until(self, when: datetime, interrupt: asyncio.Event) -> None:
        """Return when `when` is reached or `interrupt` is set, whichever is first."""


class SystemClock:
    """The wall clock (UTC)."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, when: datetime, interrupt: asyncio.Event) -> None:
        delay = (when - self.now()).total_seconds()
        if delay <= 0 or interrupt.is_set():
            return
        try:
            await asyncio.wait_for(interrupt.wait(), timeout=delay)
        except TimeoutError:
            pass


class VirtualClock:
    """A clock that only moves when `advance()` is called. Starts at the real current time."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)
        self._moved = asyncio.Event()

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("a virtual clock cannot go backwards")
        self._now += delta
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()

    async def sleep_until(self, when: datetime, interrupt: asyncio.Event) -> None:
        while self._now < when and not interrupt.is_set():
            moved = asyncio.ensure_future(self._moved.wait())
            stopped = asyncio.ensure_future(interrupt.wait())
            try:
                await asyncio.wait({moved, stopped}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                moved.cancel()
                stopped.cancel()
