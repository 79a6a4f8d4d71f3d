"""Killing a devhost child process while a workload is in flight, and telling an answer lost to the
kill from a real failure. Shared by the crash tests of every front end."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

from testkit.devhost_process import DevhostProcess
from tests.proof.hub import next_deadlines, owed_deadlines

CONCURRENCY = 24
# Only these mean "the answer was lost because the process died"; anything else is a real failure.
LOST_TO_THE_KILL = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError)

Job = Callable[[], Awaitable[None]]
# How long before the chosen deadline the kill is sent: devhost's background worker, on a core of
# its own, would otherwise fire the timer and finish the escalation between the deadline and the
# kill, and the kill would catch nothing owed.
DEADLINE_KILL_LEAD_S = 0.01


async def kill_during(host: DevhostProcess, jobs: list[Job], when: asyncio.Event, *,
                      kill_after: int | None = None, timeout: float = 120) -> int:
    """Run jobs CONCURRENCY at a time and SIGKILL the host the moment ``when`` is set (or, with
    ``kill_after``, once that many jobs got their answer). Returns how many jobs lost their
    answer to the kill; a job that fails any other way, or before the kill, fails the test."""
    answered = cut = 0
    killed = False
    queue = iter(jobs)

    async def worker() -> None:
        nonlocal answered, cut
        for job in queue:
            if when.is_set():
                return
            try:
                await job()
            except LOST_TO_THE_KILL:
                if not killed:
                    raise  # a live host dropped the connection: that is a bug, not the crash
                cut += 1
                continue
            answered += 1
            if kill_after is not None and answered >= kill_after:
                when.set()

    workers = asyncio.ensure_future(asyncio.gather(*(worker() for _ in range(CONCURRENCY))))
    trigger = asyncio.ensure_future(when.wait())
    await asyncio.wait([workers, trigger], return_when=asyncio.FIRST_COMPLETED)
    if workers.done() and workers.exception() is None and not when.is_set():
        await asyncio.wait_for(trigger, timeout)  # every job answered; the moment is still to come
    killed = True
    await host.kill()
    trigger.cancel()
    await workers  # raises what a live host got wrong
    return cut


async def gather_limited(jobs: list[Job]) -> None:
    """Run every job, CONCURRENCY at a time; the first failure fails the test."""
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(job: Job) -> None:
        async with limit:
            await job()

    await asyncio.gather(*(one(job) for job in jobs))


async def kill_as_a_deadline_comes_due(host: DevhostProcess, db: Path, rng: random.Random,
                                       within_s: float) -> set[str]:
    """SIGKILL the host as one of the deadlines of the next `within_s` seconds comes due; return
    the instances whose deadline had come by then without being escalated (what the host owed)."""
    coming = next_deadlines(db, time.time(), time.time() + within_s)
    due = time.time()
    if coming:  # otherwise every deadline has passed and the restarted host is firing them now
        due = rng.choice(coming[: max(1, len(coming) // 2)])
        await asyncio.sleep(due - DEADLINE_KILL_LEAD_S - time.time())
    await host.kill()
    return owed_deadlines(db, max(due, time.time()))
