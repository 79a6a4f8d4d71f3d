"""`python -m devhost` runs the app's background work (episodes, activities, timers, entities)
in a worker process beside the HTTP process, and the two live and die together: a kill -9 of
devhost is a crash of the whole host, and a worker that dies takes devhost down with a message."""
import asyncio
import os
import signal
from pathlib import Path

import aiohttp
import pytest

from testkit.devhost_process import DevhostProcess

pytestmark = pytest.mark.slow
APP = Path(__file__).parent / "apps" / "split_host"


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the live processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and stat.rsplit(")", 1)[1].split()[0] != "Z":
            found.append((int(entry.name), cmdline))
    return found


async def exited(pid: int, timeout: float = 10.0) -> None:
    """Return once process `pid` has exited (its pidfd becomes readable)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    loop = asyncio.get_running_loop()
    gone = loop.create_future()
    loop.add_reader(fd, lambda: gone.done() or gone.set_result(None))
    try:
        await asyncio.wait_for(gone, timeout)
    finally:
        loop.remove_reader(fd)
        os.close(fd)


async def run_whereabouts(host: DevhostProcess) -> int:
    """Start `whereabouts` and return the pid of the process that ran its activity."""
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{host.management}/orchestrators/whereabouts") as resp:
            assert resp.status == 202
            instance_id = (await resp.json())["id"]
        rows = await host.wait_for_all(http, lambda rows: any(
            r["instanceId"] == instance_id and r["runtimeStatus"] == "Completed" for r in rows), timeout=30)
    return next(r["output"] for r in rows if r["instanceId"] == instance_id)


@pytest.fixture
async def host(tmp_path):
    host = DevhostProcess(tmp_path / "hub.sqlite3", app_dir=APP)
    await host.start()
    try:
        yield host
    finally:
        await host.kill()


async def test_activities_run_in_the_background_worker_beside_the_http_process(host):
    [(worker, command)] = children(host.pid)
    assert "devhost.background_worker" in command
    assert await run_whereabouts(host) == worker


async def test_a_kill_of_devhost_kills_its_worker(host):
    [(worker, _)] = children(host.pid)
    await host.kill()
    await exited(worker)


async def test_a_stop_stops_the_worker_too(host):
    [(worker, _)] = children(host.pid)
    await host.stop()
    await exited(worker)


async def test_devhost_stops_with_an_error_when_its_worker_dies(tmp_path):
    host = DevhostProcess(tmp_path / "hub.sqlite3", app_dir=APP)  # stderr joins stdout
    await host.start()
    try:
        [(worker, _)] = children(host.pid)
        os.kill(worker, signal.SIGKILL)
        assert await asyncio.wait_for(host.process.wait(), 20) == 1
        assert b"the background worker stopped unexpectedly" in await host.output()
    finally:
        await host.kill()


async def test_single_process_runs_everything_in_the_http_process(tmp_path):
    host = DevhostProcess(tmp_path / "hub.sqlite3", app_dir=APP, arguments=["--single-process"])
    await host.start()
    try:
        assert children(host.pid) == []
        assert await run_whereabouts(host) == host.pid
    finally:
        await host.kill()
