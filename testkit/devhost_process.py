"""`python -m devhost` as a child process that a test or benchmark can SIGKILL and start again on
the same database.

A subprocess cannot share a virtual clock or an event loop with its driver, so waiting on it is
done over HTTP (the durable management API) and through the recording fake Slack it talks to.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
MANAGEMENT = "/runtime/webhooks/durabletask"
_SERVING = re.compile(r"Durable management API: (http://[^/\s]+)/")


class DevhostProcess:
    """One devhost process at a time on ``db``; ``origin`` changes with every start (port 0).

    ``log`` collects the host's stderr across starts; without one, stderr joins stdout and what
    it printed before serving is in the error if it never serves."""

    def __init__(self, db: Path, env: dict[str, str] | None = None, log: Path | None = None, *,
                 app_dir: Path = ROOT, arguments: list[str] | None = None) -> None:
        self.db, self.env, self.log, self.app_dir = db, dict(env or {}), log, app_dir
        self.arguments = list(arguments or [])
        self.origin = ""
        self.starts = 0
        self._proc: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[bytes] | None = None

    async def start(self) -> float:
        """Start and return the seconds until it serves HTTP (it prints its URLs then)."""
        began = time.perf_counter()
        self.starts += 1
        command = [sys.executable, "-m", "devhost", "--app-dir", str(self.app_dir), "--port", "0",
                   "--db", str(self.db), *self.arguments]
        env = {**os.environ, **self.env}
        if self.log is None:
            self._proc = await asyncio.create_subprocess_exec(
                *command, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        else:
            with self.log.open("ab") as log:
                log.write(f"\n===== start {self.starts} =====\n".encode())
                self._proc = await asyncio.create_subprocess_exec(
                    *command, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=log)
        assert self._proc.stdout is not None
        printed: list[str] = []
        while True:
            line = (await asyncio.wait_for(self._proc.stdout.readline(), 60)).decode()
            printed.append(line)
            if not line:
                where = f"see {self.log}" if self.log else "it printed:\n" + "".join(printed)
                raise RuntimeError(f"devhost exited before serving; {where}")
            match = _SERVING.search(line)
            if match:
                self.origin = match.group(1)
                break
        self._drain = asyncio.create_task(self._proc.stdout.read())
        return time.perf_counter() - began

    @property
    def process(self) -> asyncio.subprocess.Process:
        assert self._proc is not None, "not started"
        return self._proc

    @property
    def pid(self) -> int:
        return self.process.pid

    async def output(self) -> bytes:
        """What it printed after its URLs, once it has exited."""
        assert self._drain is not None, "not started"
        return await self._drain

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    @property
    def management(self) -> str:
        return f"{self.origin}{MANAGEMENT}"

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a crashed or evicted worker."""
        if self.running:
            self.process.send_signal(signal.SIGKILL)
        await self._reap()

    async def stop(self) -> None:
        """SIGTERM and wait (the clean way, for the end of a run)."""
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                self.process.send_signal(signal.SIGKILL)
        await self._reap()

    async def _reap(self) -> None:
        if self._proc is not None:
            await self._proc.wait()
        if self._drain is not None:
            self._drain.cancel()
        self._proc = self._drain = None

    async def instances(self, session: aiohttp.ClientSession) -> list[dict]:
        """Every instance's status, from the management API's list query."""
        async with session.get(f"{self.management}/instances", params={"showInput": "true"}) as response:
            response.raise_for_status()
            return await response.json()

    async def wait_for_all(self, session: aiohttp.ClientSession, done: Callable[[list[dict]], bool], *, timeout: float,
                           interval: float = 0.25) -> list[dict]:
        """Poll the list until done(instances) holds. Polling because the host is another process."""
        deadline = time.monotonic() + timeout
        while True:
            rows = await self.instances(session)
            if done(rows):
                return rows
            if time.monotonic() > deadline:
                raise TimeoutError(f"devhost instances did not settle within {timeout}s")
            await asyncio.sleep(interval)


@asynccontextmanager
async def devhost_process(app_dir: Path, db: Path) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    """A devhost serving ``app_dir`` on ``db``: (its process, its origin); killed at the end."""
    host = DevhostProcess(db, app_dir=app_dir)
    await host.start()
    try:
        yield host.process, host.origin
    finally:
        await host.kill()


async def poll_status(http: aiohttp.ClientSession, origin: str, iid: str, wanted: set[str],
                      timeout: float = 20.0) -> dict[str, Any]:
    """The status once its runtimeStatus is one of `wanted`."""
    return await poll(http, origin, iid, lambda s: s["runtimeStatus"] in wanted, timeout)


async def poll(http: aiohttp.ClientSession, origin: str, iid: str, ok: Callable[[dict[str, Any]], bool],
               timeout: float = 20.0, interval: float = 0.05) -> dict[str, Any]:
    """The status once `ok(status)` holds."""
    deadline = time.monotonic() + timeout
    while True:
        async with http.get(f"{origin}{MANAGEMENT}/instances/{iid}") as resp:
            status = await resp.json() if resp.status != 404 else None
        if status and ok(status):
            return status
        if time.monotonic() > deadline:
            raise TimeoutError(f"{iid}: {status}")
        await asyncio.sleep(interval)  # another process: nothing to await but its HTTP answers
