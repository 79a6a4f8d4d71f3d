"""When the store refuses writes (a lock held by another process, a full disk), devhost keeps
its pending work, answers 503 to requests that would change state, and carries on by itself
once the store takes writes again."""
from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta

import aiohttp
import pytest

from devhost.testing import RunningHost, run_devhost

LOCK_HELD_SECONDS = 10.0  # longer than the store's 5 s lock wait
UNLIMITED_PAGES = 1_073_741_823


async def start(http: aiohttp.ClientSession, host: RunningHost,
                data: dict) -> aiohttp.ClientResponse:
    async with http.post(f"{host.management_url}/orchestrators/approval", json=data) as resp:
        await resp.read()
        return resp


async def until(host: RunningHost, ok: Callable[[], bool]) -> None:
    """Return once `ok()` holds, re-checking after every engine change."""
    while not ok():
        await asyncio.wait_for(host.engine.next_change(), 10)


async def waiting_approvals(host: RunningHost, *names: str) -> list[str]:
    """Started `approval` instances, each waiting for a decision or its 600 s deadline."""
    ids = [await host.client.start_new("approval", None, {"name": n, "timeout": 600})
           for n in names]
    for iid in ids:
        await host.wait_for_custom_status(iid, lambda c: c == {"stage": "waiting"})
    return ids


@pytest.mark.slow
async def test_deadlines_due_under_another_process_lock_fire_once_it_is_released(basic_app):
    async with run_devhost(basic_app, virtual_clock=True) as host, \
            aiohttp.ClientSession() as http:
        ids = await waiting_approvals(host, "Ann", "Bo")
        with closing(sqlite3.connect(host.db_path, isolation_level=None)) as other:
            other.execute("BEGIN EXCLUSIVE")
            released = asyncio.get_running_loop().create_future()

            def release() -> None:
                other.execute("COMMIT")
                released.set_result(None)

            asyncio.get_running_loop().call_later(LOCK_HELD_SECONDS, release)
            host.clock.advance(timedelta(seconds=600))  # both deadlines fall due under the lock

            refused = await start(http, host, {"name": "Cy", "timeout": 600})
            assert refused.status == 503
            assert "cannot write its state" in (await refused.json())["Message"]
            assert not released.done()
            for iid in ids:
                assert (await host.get_status(iid))["runtimeStatus"] == "Running"

            await released
            await host.settle()
        for name, iid in zip(("Ann", "Bo"), ids):
            status = await host.wait_for_status(iid, "Completed")
            assert status["output"] == {"greeting": f"Hello {name}!", "decision": None}
        accepted = await start(http, host, {"name": "Cy", "timeout": 600})
        assert accepted.status == 202


async def test_a_full_disk_answers_503_and_everything_resumes_when_space_returns(basic_app):
    big = "x" * 200_000  # a start or an output this size needs new pages
    async with run_devhost(basic_app, virtual_clock=True) as host, \
            aiohttp.ClientSession() as http:
        [iid] = await waiting_approvals(host, big)
        db = host.store.db  # the SQLite store's own connection: the limit applies to its writes
        db.execute("VACUUM")  # no free pages left to reuse
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        assert db.execute(f"PRAGMA max_page_count = {pages}").fetchone()[0] == pages

        host.clock.advance(timedelta(seconds=600))  # the deadline falls due; its output won't fit
        await until(host, lambda: host.engine.health.failing)
        assert (await host.get_status(iid))["runtimeStatus"] == "Running"
        assert not host.engine.is_idle()
        refused = await start(http, host, {"name": big, "timeout": 600})
        assert refused.status == 503
        assert "full" in (await refused.json())["Message"]

        db.execute(f"PRAGMA max_page_count = {UNLIMITED_PAGES}")
        await host.settle()
        status = await host.wait_for_status(iid, "Completed")
        assert status["output"] == {"greeting": f"Hello {big}!", "decision": None}
        accepted = await start(http, host, {"name": big, "timeout": 600})
        assert accepted.status == 202
