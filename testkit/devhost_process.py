"""`python -m devhost` as a child process that a test can SIGKILL and start again on the same DB.

A subprocess cannot share a virtual clock or an event loop with the test, so waiting on it is done
over HTTP (the durable management API) and through the recording fake Slack it talks to.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
MANAGEMENT = "/runtime/webhooks/durabletask"
_SERVING = re.compile(r"Durable management API: (http://[^/\s]+)/")


class DevhostProcess:
    """One devhost process at a time on ``db``; ``origin`` changes with every start (port 0)."""

    def __init__(self, db: Path, env: dict[str, str], log: Path) -> None:
        self.db, self.env, self.log = db, env, log
        self.origin = ""
        self.starts = 0
        self._proc: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[bytes] | None = None

    async def start(self) -> float:
        """Start and return the seconds until it serves HTTP (it prints its URLs then)."""
        began = time.perf_counter()
        self.starts += 1
        with self.log.open("ab") as log:
            log.write(f"\n===== start {self.starts} =====\n".encode())
        stderr = self.log.open("ab")
        try:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "devhost", "--app-dir", str(ROOT), "--port", "0", "--db", str(self.db),
                cwd=ROOT, env={**os.environ, **self.env}, stdout=asyncio.subprocess.PIPE, stderr=stderr,
            )
        finally:
            stderr.close()
        assert self._proc.stdout is not None
        while True:
            line = (await asyncio.wait_for(self._proc.stdout.readline(), 60)).decode()
            if not line:
                raise RuntimeError(f"devhost exited before serving; see {self.log}")
            match = _SERVING.search(line)
            if match:
                self.origin = match.group(1)
                break
        self._drain = asyncio.create_task(self._proc.stdout.read())
        return time.perf_counter() - began

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    @property
    def management(self) -> str:
        return f"{self.origin}{MANAGEMENT}"

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a crashed or evicted worker."""
        if self._proc is not None and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGKILL)
            await self._proc.wait()
        if self._drain is not None:
            self._drain.cancel()
        self._proc = self._drain = None

    async def stop(self) -> None:
        """SIGTERM and wait (the clean way, for the end of a test)."""
        if self._proc is not None and self._proc.returncode is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self._proc.wait(), 20)
            except asyncio.TimeoutError:
                await self.kill()
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
