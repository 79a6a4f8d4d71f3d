"""Entity state survives kill -9: a real `python -m devhost` process is SIGKILLed while an entity
works through a queue of slow operations and orchestrations signal another one; after the
restart on the same database every acknowledged operation has been applied exactly once."""
import asyncio
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import aiohttp
import azure.durable_functions as df
import pytest
from azure.durable_functions.models.utils import http_utils

from devhost.urls import DurableUrls
from testkit.devhost_process import DevhostProcess

pytestmark = pytest.mark.slow
SLOW_OPERATIONS = 150  # 20 ms each, in batches of 100: the kill lands inside a batch
APPROVALS = [10 * (i + 1) for i in range(20)]


def client_for(host: DevhostProcess) -> df.DurableOrchestrationClient:
    return df.DurableOrchestrationClient(DurableUrls(host.origin, "TestHubName").client_binding_json())


async def until(check, timeout: float = 30.0):
    """Poll another process until check() returns a truthy value; return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("devhost did not get there in time")
        await asyncio.sleep(0.05)  # another process: nothing to await but its HTTP answers


async def test_sigkill_mid_batch_applies_every_operation_exactly_once(tmp_path):
    host = DevhostProcess(tmp_path / "hub.sqlite3", app_dir=Path(__file__).parent / "apps" / "entities")
    counter = df.EntityId("Counter", "slow")
    async with aiohttp.ClientSession() as http:
        await host.start()
        try:
            client = client_for(host)
            for _ in range(SLOW_OPERATIONS):
                await client.signal_entity(counter, "slow_add", 1)
            approvals = [await client.start_new("approve", None, {
                "requester": "ann", "month": "2026-12", "amount": a}) for a in APPROVALS]
            approvals += [await client.start_new("approve", None, {  # call_entity, not signal
                "requester": "bo", "month": "2026-12", "amount": a, "call": True})
                for a in APPROVALS]

            async def some_applied():
                read = await client.read_entity_state(counter)
                return read.entity_exists and read.entity_state < SLOW_OPERATIONS

            await until(some_applied)
            await host.kill()
        finally:
            await host.kill()
            await http_utils._close_session()
        with closing(sqlite3.connect(host.db)) as db:  # the kill did land in the middle of work
            queued = db.execute("SELECT COUNT(*) FROM entity_requests WHERE entity_id = ?",
                                ("@counter@slow",)).fetchone()[0]
        assert 0 < queued < SLOW_OPERATIONS

        await host.start()
        try:
            client = client_for(host)
            await host.wait_for_all(http, lambda rows: all(
                r["runtimeStatus"] == "Completed" for r in rows) and len(rows) == len(approvals),
                timeout=60)

            async def queues_empty():
                async with http.get(f"{host.origin}/_devhost/api/entities") as resp:
                    body = await resp.json()
                return all(e["queued"] == 0 for e in body["entities"]) and body["entities"]

            await until(queues_empty, timeout=60)
            assert (await client.read_entity_state(counter)).entity_state == SLOW_OPERATIONS
            for requester in ("ann", "bo"):
                month = df.EntityId("MonthToDate", f"{requester}:2026-12")
                assert (await client.read_entity_state(month)).entity_state == {
                    "total": sum(APPROVALS), "requests": len(APPROVALS)}
        finally:
            await host.stop()
            await http_utils._close_session()
