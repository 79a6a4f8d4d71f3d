"""One loop for every durable timer: a heap ordered by fire time, woken when an earlier timer
arrives or the clock moves. Timers live in the store; the heap only holds (fire_at, row id)."""
from __future__ import annotations

import asyncio
import heapq
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from .clock import Clock


class TimerQueue:
    def __init__(self, clock: Clock, fire: Callable[[list[int]], Awaitable[None]]) -> None:
        self._clock = clock
        self._fire = fire
        self._heap: list[tuple[float, int]] = []
        self._changed = asyncio.Event()

    def add(self, fire_at: float, row_id: int) -> None:
        if not self._heap or fire_at < self._heap[0][0]:
            self._changed.set()
        heapq.heappush(self._heap, (fire_at, row_id))

    def has_due(self) -> bool:
        return bool(self._heap) and self._heap[0][0] <= self._clock.now().timestamp()

    async def run(self) -> None:
        while True:
            self._changed.clear()
            if not self._heap:
                await self._changed.wait()
                continue
            first = self._heap[0][0]
            if self._clock.now().timestamp() < first:
                await self._clock.sleep_until(datetime.fromtimestamp(first, UTC),
                                              self._changed)
                continue
            now = self._clock.now().timestamp()
            due: list[int] = []
            while self._heap and self._heap[0][0] <= now:
                due.append(heapq.heappop(self._heap)[1])
            await self._fire(due)  # returns once delivered (retrying while storage fails)
            await asyncio.sleep(0)
