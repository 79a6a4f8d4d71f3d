"""Requests first: HTTP requests and background work share one event loop, requests ahead.

Everything devhost does runs on one event loop: HTTP requests, orchestration episodes and
activities. The loop is first come, first served, so under a burst (50 Slack clients, each command
starting an orchestration whose activity costs several times the command's own answer) every
request waits behind the background work the earlier requests started.

So background work (the steps of activities; the engine decides what else) takes turns. Each of
its steps is timed. After a slice of background time during which a request ran, background work
stands aside while requests have steps to run, for as long as its share allows
(`BACKGROUND_SHARE` of the loop while both want it), then resumes. Requests that have nothing to
run (waiting for a reply, for a thread, or for the very background work they started, as a click
waiting for its decision to be recorded) do not hold it back, and a slice with no request at all
ends in one loop turn, so background work never stops while the loop is otherwise idle.
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
IDLE_SLICE_SECONDS = 0.016  # the same while no request has run: one loop turn per slice
QUIET_TURNS = 2            # loop turns without a request step after which requests are idle


class Lanes:
    """The requests lane and the background lane of one event loop.

    `cost` measures steps (seconds from `time.perf_counter` by default); a test can count steps
    instead, to make the turns deterministic."""

    def __init__(self, share: float = BACKGROUND_SHARE, slice_cost: float = SLICE_SECONDS,
                 idle_slice_cost: float = IDLE_SLICE_SECONDS,
                 cost: Callable[[], float] = time.perf_counter) -> None:
        if not 0 < share <= 1:
            raise ValueError("the background share is a fraction in (0, 1]")
        self.share = share
        self.slice_cost = slice_cost
        self.idle_slice_cost = idle_slice_cost
        self.measure = cost
        self._spent = 0.0           # background cost in this slice
        self._slice = idle_slice_cost
        self._steps_seen = 0        # request steps when this slice began
        self._request_steps = 0     # request steps, ever
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._aside: asyncio.Task[None] | None = None
        self.asides = 0             # how often background work stood aside

    # -- the requests lane -----------------------------------------------------------------
    async def request(self, work: Awaitable[T]) -> T:
        """Run `work` (a request's handler), counting each of its steps as request work."""
        result: T = await _Steps(work, self, background=False)
        return result

    def requested(self, cost: float) -> None:
        """Account for a request step that has just run."""
        self._request_steps += 1

    # -- the background lane ---------------------------------------------------------------
    async def background(self, work: Awaitable[T]) -> T:
        """Run `work` (an activity), each of its steps taking its turn and counted as background."""
        result: T = await _Steps(work, self, background=True)
        return result

    def spend(self, cost: float) -> None:
        """Account for a background item that has just run."""
        self._spent += cost

    def may_run(self) -> bool:
        """Whether the next background item may run now, without waiting for its turn."""
        return self._aside is None and not self._waiting and self._spent < self._slice

    async def turn(self) -> None:
        """Return when the next background item may run (at once, unless its slice is used up)."""
        if self.may_run():
            return
        if self._aside is None and not self._waiting and self._request_steps == self._steps_seen:
            # No request ran during the slice: after one loop turn (new requests come in with
            # it), a long slice, as if there were no lanes at all.
            self._new_slice(self.idle_slice_cost)
            await asyncio.sleep(0)
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

    def _new_slice(self, cost: float) -> None:
        self._spent, self._slice, self._steps_seen = 0.0, cost, self._request_steps

    async def _stand_aside(self) -> None:
        """Let requests run for as long as the share owes them, or until they have had no step
        to run for a few loop turns; then let every waiting background item go.

        The loop's own time counts (request handlers and the HTTP protocol work around them),
        and a few idle turns end it, so a loop with little to do never holds background back."""
        try:
            spent = self._spent
            self.asides += 1
            owed = spent * (1 - self.share) / self.share
            began = self.measure()
            quiet = 0  # loop turns in a row without a request step
            while quiet < QUIET_TURNS and self.measure() - began < owed:
                steps = self._request_steps
                await asyncio.sleep(0)
                quiet = 0 if self._request_steps != steps else quiet + 1
        finally:
            self._aside = None
            self._new_slice(self.slice_cost)
            waiting, self._waiting = self._waiting, deque()
            for waiter in waiting:
                if not waiter.done():
                    waiter.set_result(None)


class _Steps:
    """Await a coroutine one step at a time, accounting each step's cost to its lane; in the
    background lane, each step first waits for the lane's turn."""

    __slots__ = ("_work", "_lanes", "_background")

    def __init__(self, work: Awaitable[Any], lanes: Lanes, background: bool) -> None:
        self._work = work
        self._lanes = lanes
        self._background = background

    def __await__(self) -> Generator[Any, Any, Any]:
        steps = self._work.__await__()
        lanes, background = self._lanes, self._background
        account = lanes.spend if background else lanes.requested
        value: Any = None
        error: BaseException | None = None
        while True:
            if background and error is None and not lanes.may_run():
                try:
                    yield from lanes.turn().__await__()
                except GeneratorExit:
                    steps.close()
                    raise
                except BaseException as exc:  # cancelled while waiting: the work hears of it
                    error = exc
            began = lanes.measure()
            try:
                yielded = steps.throw(error) if error is not None else steps.send(value)
            except StopIteration as done:
                account(lanes.measure() - began)
                return done.value
            except BaseException:
                account(lanes.measure() - began)
                raise
            account(lanes.measure() - began)
            value, error = None, None
            try:
                value = yield yielded
            except GeneratorExit:
                steps.close()
                raise
            except BaseException as exc:
                error = exc
