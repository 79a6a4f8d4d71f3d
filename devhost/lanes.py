"""Requests first: HTTP requests and background work share one event loop, requests ahead.

Everything devhost does runs on one event loop: HTTP requests, orchestration episodes and
activities. The loop is first come, first served, so under a burst (50 Slack clients, each command
starting an orchestration whose episodes and activities cost several times the command's own
answer) every request waits behind the background work the earlier requests started, and
answers take seconds where they should take tens of milliseconds.

So background work takes turns. Each background item (an episode, one step of an activity) is
timed. After a slice of background time, background work stands aside while requests have
something to run, for as long as its share allows (`BACKGROUND_SHARE` of the loop while both
want it), then resumes. Requests that have nothing to run (waiting for a reply, for a thread, or
for the very background work they started, as a click waiting for its decision to be recorded)
do not hold it back, so it never stops while the loop is otherwise idle, and throughput without
requests is unchanged.
"""
from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

T = TypeVar("T")

BACKGROUND_SHARE = 0.2     # of the loop's time, while requests have work too
SLICE_SECONDS = 0.004      # background time between two chances for requests to run
QUIET_TURNS = 3            # loop turns without a request step after which requests are idle


class Lanes:
    """The requests lane and the background lane of one event loop.

    `cost` measures background items (seconds from `time.perf_counter` by default); a test can
    count items instead, to make the turns deterministic."""

    def __init__(self, share: float = BACKGROUND_SHARE, slice_cost: float = SLICE_SECONDS,
                 cost: Callable[[], float] = time.perf_counter) -> None:
        if not 0 < share <= 1:
            raise ValueError("the background share is a fraction in (0, 1]")
        self.share = share
        self.slice_cost = slice_cost
        self._cost = cost
        self._spent = 0.0          # background cost since it last stood aside
        self._request_ran = False  # a request step ran since the lane last looked
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._aside: asyncio.Task[None] | None = None
        self.asides = 0            # how often background work stood aside (for tests, stats)

    # -- the requests lane -----------------------------------------------------------------
    async def request(self, work: Awaitable[T]) -> T:
        """Run `work` (a request's handler), noting each of its steps as request work."""
        result: T = await _Steps(work, self._request_step, None)
        return result

    def _request_step(self, seconds: float) -> None:
        self._request_ran = True

    # -- the background lane ---------------------------------------------------------------
    async def background(self, work: Awaitable[T]) -> T:
        """Run `work` (an activity), each of its steps taking its turn and counted as background."""
        result: T = await _Steps(work, self.spend, self)
        return result

    def may_run(self) -> bool:
        """Whether the next background item may run now, without waiting for its turn."""
        return self._aside is None and not self._waiting and self._spent < self.slice_cost

    async def turn(self) -> None:
        """Return when the next background item may run (at once, unless its slice is used up)."""
        if self.may_run():
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        if self._aside is None:
            self._aside = asyncio.create_task(self._stand_aside(), name="devhost-requests-first")
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter in self._waiting:
                self._waiting.remove(waiter)
            raise

    def measure(self) -> float:
        return self._cost()

    def spend(self, cost: float) -> None:
        """Account for a background item that has just run."""
        self._spent += cost

    async def _stand_aside(self) -> None:
        """Let requests run for up to the time the share allows, or until they have no step to
        run; then let every waiting background item go."""
        try:
            spent, self._spent = self._spent, 0.0
            self.asides += 1
            budget = spent * (1 - self.share) / self.share
            began = self._cost()
            quiet = 0  # loop turns in a row without a request step
            while quiet < QUIET_TURNS and self._cost() - began < budget:
                self._request_ran = False
                await asyncio.sleep(0)
                quiet = 0 if self._request_ran else quiet + 1
        finally:
            self._aside = None
            waiting, self._waiting = self._waiting, deque()
            for waiter in waiting:
                if not waiter.done():
                    waiter.set_result(None)


class _Steps:
    """Await a coroutine one step at a time, reporting each step's cost to `spent`, and, for
    the background lane, waiting for the lane's turn before each step."""

    __slots__ = ("_work", "_spent", "_lanes")

    def __init__(self, work: Awaitable[Any], spent: Callable[[float], None],
                 lanes: Lanes | None) -> None:
        self._work = work
        self._spent = spent
        self._lanes = lanes

    def __await__(self) -> Generator[Any, Any, Any]:
        steps = self._work.__await__()
        lanes, spent = self._lanes, self._spent
        value: Any = None
        error: BaseException | None = None
        while True:
            if lanes is not None and error is None and not lanes.may_run():
                try:
                    yield from lanes.turn().__await__()
                except GeneratorExit:
                    steps.close()
                    raise
                except BaseException as exc:  # cancelled while waiting: the work hears of it
                    error = exc
            began = lanes.measure() if lanes is not None else 0.0
            try:
                yielded = steps.throw(error) if error is not None else steps.send(value)
            except StopIteration as done:
                spent(lanes.measure() - began if lanes is not None else 0.0)
                return done.value
            except BaseException:
                spent(lanes.measure() - began if lanes is not None else 0.0)
                raise
            spent(lanes.measure() - began if lanes is not None else 0.0)
            value, error = None, None
            try:
                value = yield yielded
            except GeneratorExit:
                steps.close()
                raise
            except BaseException as exc:
                error = exc
