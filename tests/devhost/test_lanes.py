"""Requests first: background work (episodes, activity steps) takes turns with HTTP requests.

Each scenario counts steps instead of timing them (every background item costs 1), so what runs
before what is decided by the event loop alone, never by how fast the machine is."""
import asyncio
import itertools
from pathlib import Path

import aiohttp
import pytest

from devhost.lanes import Lanes
from devhost.testing import RunningHost, run_devhost

BURST_APP = Path(__file__).parent / "apps" / "burst"
QUEUED = 300


def counting_lanes(share: float = 0.2) -> Lanes:
    """Lanes whose cost is a count of background items (one slice = one item)."""
    return Lanes(share=share, slice_cost=1, cost=itertools.count().__next__)


async def _steps(n: int) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


# -- the lanes on their own ------------------------------------------------------------------
async def test_a_busy_request_runs_ahead_of_background_work_that_started_first():
    lanes = counting_lanes()
    finished: list[int] = []

    async def item(i: int) -> None:
        await _steps(10)
        finished.append(i)

    background = [asyncio.create_task(lanes.background(item(i))) for i in range(100)]
    await asyncio.sleep(0)  # the background work is under way

    async def request() -> int:
        await _steps(50)
        return len(finished)

    # Without turns, the loop runs one step of every item per turn: all 100 finish in 11 turns.
    assert await lanes.request(request()) == 0
    await asyncio.gather(*background)
    assert sorted(finished) == list(range(100))
    assert lanes.asides > 0


async def test_background_work_keeps_its_share_while_requests_never_pause():
    lanes = counting_lanes(share=0.2)
    finished: list[int] = []

    async def item(i: int) -> None:
        await _steps(5)
        finished.append(i)

    background = [asyncio.create_task(lanes.background(item(i))) for i in range(20)]

    async def endless_request() -> int:
        turns = 0
        while len(finished) < 20:
            await asyncio.sleep(0)
            turns += 1
        return turns

    turns = await lanes.request(endless_request())
    await asyncio.gather(*background)
    # 120 background steps at a fifth of the loop: the request saw them through in a few
    # hundred turns rather than waiting for all of it or starving it.
    assert 120 <= turns <= 120 * 5 + 50


async def test_a_request_waiting_for_background_work_does_not_hold_it_back():
    lanes = counting_lanes()
    recorded = asyncio.Event()

    async def item() -> None:
        await _steps(30)
        recorded.set()

    async def waiting_request() -> str:
        await recorded.wait()  # a click waiting to see its decision recorded
        return "recorded"

    worker = asyncio.create_task(lanes.background(item()))
    assert await asyncio.wait_for(lanes.request(waiting_request()), 10) == "recorded"
    await worker


async def test_cancelling_background_work_reaches_it_even_while_it_waits_for_its_turn():
    lanes = counting_lanes()
    cleaned_up = asyncio.Event()

    async def item() -> None:
        try:
            await _steps(1000)
        finally:
            cleaned_up.set()

    task = asyncio.create_task(lanes.background(item()))
    busy = asyncio.create_task(lanes.request(_steps(20)))
    await _steps(5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned_up.is_set()
    await busy


def test_the_share_is_a_fraction():
    with pytest.raises(ValueError):
        Lanes(share=0)


# -- a devhost with a long queue of background work -----------------------------------------
async def queue_orchestrations(host: RunningHost, name: str, count: int) -> list[str]:
    """`count` instances started in one transaction: all queued before any episode runs."""
    ids = [f"{name}-{i:04d}" for i in range(count)]
    engine = host.engine
    with engine.transaction():
        for instance_id in ids:
            engine.create_instance(name, instance_id, None, engine.clock.now())
    return ids


def not_started(host: RunningHost, ids: list[str]) -> int:
    rows = (host.store.instance(i) for i in ids)
    return sum(1 for row in rows if row is not None and row.runtime_status == "Pending")


async def test_an_http_function_runs_ahead_of_activities_already_under_way():
    async with run_devhost(BURST_APP, lanes=counting_lanes()) as host:
        ids = await queue_orchestrations(host, "busy", 100)
        for instance_id in ids:  # every activity (40 steps each) has been scheduled
            await host.wait_for_status(instance_id, "Running", "Completed")
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{host.base_url}/api/steps/60") as response:
                assert await response.text() == "60"
            unfinished = len(host.store.all_activities())
        # Without turns, the loop runs one step of each activity per request step: all 100
        # would have finished before the request's 60 steps.
        assert unfinished >= 90
        await host.settle()
        assert host.store.all_activities() == []
        assert all(host.store.instance(i).runtime_status == "Completed" for i in ids)


async def test_an_event_a_request_raises_is_recorded_before_a_long_queue_of_episodes_drains():
    async with run_devhost(BURST_APP, lanes=counting_lanes()) as host:
        clicked = await host.client.start_new("decided", None, None)
        await host.wait_for_status(clicked, "Running")
        ids = await queue_orchestrations(host, "busy", QUEUED)
        await host.client.raise_event(clicked, "decision", "approve")
        status = await host.wait_for_status(clicked, "Completed")
        waiting = not_started(host, ids)
        # Before, the event's episode queued behind all of them.
        assert status["output"] == '"approve"'
        assert waiting >= QUEUED // 2
        await host.settle()
        assert not_started(host, ids) == 0
