"""Test harness: run a devhost in-process on a free port with a temporary database.

    async with run_devhost(app_dir, virtual_clock=True) as host:
        instance_id = await host.client.start_new("my_orchestrator", None, {"x": 1})
        await host.advance(timedelta(days=7))
        status = await host.wait_for_status(instance_id, "Completed")
"""
from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import azure.durable_functions as df

from .clock import Clock, SystemClock, VirtualClock
from .engine import Engine
from .host import DevHost, HostConfig
from .lanes import Lanes
from .settings import read_local_values
from .status import status_json
from .store import TaskHubStore


class RunningHost:
    """What a test gets from `run_devhost`."""

    def __init__(self, host: DevHost, session: aiohttp.ClientSession) -> None:
        self._host = host
        self._session = session
        self.base_url: str = host.base_url
        self.clock: Clock = host.clock
        self.db_path: Path = host.db_path
        self.client = df.DurableOrchestrationClient(host.urls.client_binding_json())

    @property
    def store(self) -> TaskHubStore:
        """The host's store, for tests that look at it directly or make it fail."""
        assert self._host.store is not None
        return self._host.store

    @property
    def engine(self) -> Engine:
        assert self._host.engine is not None
        return self._host.engine

    @property
    def management_url(self) -> str:
        """The public webhook base, e.g. http://127.0.0.1:1234/runtime/webhooks/durabletask."""
        return self._host.urls.webhook_base

    async def advance(self, delta: timedelta) -> None:
        """Move the virtual clock; return once every timer that came due was delivered and the
        work it caused (episodes, activities) has finished."""
        if not isinstance(self.clock, VirtualClock):
            raise RuntimeError("advance() needs run_devhost(..., virtual_clock=True)")
        self.clock.advance(delta)
        await self.settle()

    async def settle(self) -> None:
        """Wait until no episode, activity or due timer is left."""
        assert self._host.engine is not None
        await asyncio.sleep(0)
        await self._host.engine.settle()

    async def get_status(self, instance_id: str) -> dict[str, Any] | None:
        url = f"{self.management_url}/instances/{instance_id}"
        async with self._session.get(url) as resp:
            if resp.status == 404:
                return None
            return await resp.json()

    async def wait_for_status(self, instance_id: str, *statuses: str,
                              timeout: float = 10.0) -> dict[str, Any]:
        """Await until runtimeStatus is one of `statuses`; return the status JSON."""
        wanted = set(statuses) or {"Completed"}
        return await self._wait(instance_id, lambda s: s["runtimeStatus"] in wanted, timeout,
                                f"runtimeStatus in {sorted(wanted)}")

    async def wait_for_custom_status(self, instance_id: str,
                                     predicate: Callable[[Any], bool],
                                     timeout: float = 10.0) -> dict[str, Any]:
        """Await until predicate(customStatus) is true; return the status JSON."""
        return await self._wait(instance_id, lambda s: predicate(s["customStatus"]), timeout,
                                "customStatus predicate")

    async def _wait(self, instance_id: str, ok: Callable[[dict], bool], timeout: float,
                    what: str) -> dict[str, Any]:
        """Read the status after every engine change until `ok`; fail at the deadline.

        The change is captured before each read, so a change landing between the read and the
        wait wakes it. A deadline passing is always a failure, even if a last read would now
        pass: that would mean a change went unnoticed."""
        engine = self._host.engine
        assert engine is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            change = engine.next_change()
            row = engine.store.instance(instance_id)  # the same JSON the status API answers
            status = status_json(row) if row is not None else None
            if status is not None and ok(status):
                change.close()
                return status
            try:
                await asyncio.wait_for(change, max(deadline - loop.time(), 0))
            except TimeoutError:
                raise TimeoutError(f"instance {instance_id}: no {what} within {timeout}s; "
                                   f"last status: {status}") from None


@asynccontextmanager
async def _environment(env: dict[str, str]) -> AsyncIterator[None]:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@asynccontextmanager
async def run_devhost(app_dir: Path, *, env: dict[str, str] | None = None,
                      virtual_clock: bool = False, db_path: Path | None = None,
                      load_local_settings: bool = False,
                      lanes: Lanes | None = None) -> AsyncIterator[RunningHost]:
    """Start a devhost for `app_dir` on 127.0.0.1:<free port>; stop it on exit. `lanes` replaces
    how requests and background work take turns, e.g. with one that counts steps, not time."""
    app_dir = Path(app_dir).resolve()
    values = dict(env or {})
    if load_local_settings:
        values = {**{k: v for k, v in read_local_values(app_dir).items() if k not in os.environ},
                  **values}
    clock: Clock = VirtualClock() if virtual_clock else SystemClock()
    with tempfile.TemporaryDirectory(prefix="devhost-") as tmp:
        path = Path(db_path) if db_path is not None else Path(tmp) / "hub.sqlite3"
        async with _environment(values):
            host = DevHost(HostConfig(app_dir=app_dir, port=0, db_path=path, clock=clock,
                                      lanes=lanes))
            await host.start()
            try:
                async with aiohttp.ClientSession() as session:
                    yield RunningHost(host, session)
            finally:
                await host.stop()


__all__ = ["RunningHost", "run_devhost"]
