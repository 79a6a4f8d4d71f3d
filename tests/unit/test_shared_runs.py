"""Callers asking for the same refresh while one is going share a single run after it."""
import asyncio

import pytest

from bot.shared_runs import SharedRuns, run_shared


class Refresh:
    """Work that records each run and holds it until released."""

    def __init__(self) -> None:
        self.runs = 0
        self.release = asyncio.Event()
        self.started = asyncio.Event()

    async def __call__(self) -> None:
        self.runs += 1
        self.started.set()
        await self.release.wait()


async def test_callers_during_a_run_share_one_run_after_it():
    refresh = Refresh()
    first = asyncio.ensure_future(run_shared("ann", refresh, 5))
    await refresh.started.wait()
    later = [asyncio.ensure_future(run_shared("ann", refresh, 5)) for _ in range(50)]
    await asyncio.sleep(0)  # every later caller has asked
    refresh.release.set()
    await asyncio.gather(first, *later)
    assert refresh.runs == 2


async def test_a_caller_after_a_run_has_ended_gets_a_run_of_its_own():
    refresh = Refresh()
    refresh.release.set()
    await run_shared("ann", refresh, 5)
    await run_shared("ann", refresh, 5)
    assert refresh.runs == 2


async def test_runs_of_different_keys_do_not_wait_for_each_other():
    ann, bo = Refresh(), Refresh()
    held = asyncio.ensure_future(run_shared("ann", ann, 5))
    await ann.started.wait()
    bo.release.set()
    await run_shared("bo", bo, 5)  # returns while ann's run is still held
    assert (ann.runs, bo.runs, held.done()) == (1, 1, False)
    ann.release.set()
    await held


async def test_the_queued_run_starts_only_after_the_running_one_ends():
    runs = SharedRuns()
    order: list[str] = []
    gate = asyncio.Event()

    async def first() -> None:
        order.append("first started")
        await gate.wait()
        order.append("first ended")

    async def second() -> None:
        order.append("second started")

    running = runs.request("ann", first)
    queued = runs.request("ann", second)
    assert runs.request("ann", second) is queued
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(running, queued)
    assert order == ["first started", "first ended", "second started"]


async def test_a_caller_that_gives_up_does_not_cancel_the_run_for_the_others():
    refresh = Refresh()
    impatient = asyncio.ensure_future(run_shared("ann", refresh, 0.01))
    await refresh.started.wait()
    patient = asyncio.ensure_future(run_shared("ann", refresh, 5))
    with pytest.raises(TimeoutError):
        await impatient
    refresh.release.set()
    await patient
    assert refresh.runs == 2


async def test_a_failed_run_reaches_its_callers_and_the_next_run_still_happens():
    calls = 0

    async def flaky() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("listing failed")

    with pytest.raises(RuntimeError, match="listing failed"):
        await run_shared("ann", flaky, 5)
    await run_shared("ann", flaky, 5)
    assert calls == 2
