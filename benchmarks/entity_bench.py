"""Durable entities under `python -m devhost`, against baselines from the same run.

  * calls     N orchestrations that each make two `call_entity` calls (on 50 counters), started
              at once over HTTP, until all completed; baseline: N orchestrations that each call
              two activities instead
  * signals   N `signal_entity` requests from the client (50 at a time) until the counter shows
              all of them; baseline: N `start_new` requests of an orchestration that only
              returns, until all completed

    python -m benchmarks.entity_bench [--instances 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

from testkit.devhost_process import DevhostProcess

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "entities.json"
CONCURRENCY = 50
ENTITIES = 50

APP = '''
import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.entity_trigger(context_name="context")
def Counter(context):
    value = context.get_state(lambda: 0)
    if context.operation_name == "add":
        value += context.get_input()
        context.set_state(value)
    context.set_result(value)


@app.activity_trigger(input_name="x")
def add_one(x):
    return x + 1


@app.orchestration_trigger(context_name="context")
def two_calls(context):
    counter = df.EntityId("Counter", context.get_input())
    yield context.call_entity(counter, "add", 1)
    return (yield context.call_entity(counter, "get"))


@app.orchestration_trigger(context_name="context")
def two_activities(context):
    one = yield context.call_activity("add_one", 0)
    return (yield context.call_activity("add_one", one))


@app.orchestration_trigger(context_name="context")
def nothing(context):
    return None
'''


async def gather_limited(calls: list[Callable[[], Awaitable[object]]]) -> None:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(call: Callable[[], Awaitable[object]]) -> None:
        async with gate:
            await call()

    await asyncio.gather(*(one(c) for c in calls))


async def timed_starts(host: DevhostProcess, http: aiohttp.ClientSession, name: str,
                       inputs: list[object]) -> float:
    """Seconds from the first start until every instance of this batch has completed."""
    began = time.perf_counter()
    ids: list[str] = []

    async def start(value: object) -> None:
        # the durable client's body: the input's JSON text, as a JSON string
        async with http.post(f"{host.management}/orchestrators/{name}",
                             json=json.dumps(value)) as resp:
            ids.append((await resp.json())["id"])

    await gather_limited([lambda v=v: start(v) for v in inputs])
    wanted = set(ids)
    await host.wait_for_all(http, lambda rows: wanted <= {
        r["instanceId"] for r in rows if r["runtimeStatus"] == "Completed"}, timeout=600,
        interval=0.05)
    return time.perf_counter() - began


async def timed_signals(host: DevhostProcess, http: aiohttp.ClientSession, count: int) -> float:
    url = f"{host.management}/entities/Counter/signals"
    began = time.perf_counter()

    async def signal() -> None:
        async with http.post(f"{url}?op=add", json=json.dumps(1)) as resp:  # as the client sends it
            assert resp.status == 202, resp.status

    await gather_limited([signal] * count)
    while True:
        async with http.get(url) as resp:
            if resp.status == 200 and await resp.json() == count:
                return time.perf_counter() - began
        await asyncio.sleep(0.02)  # another process: nothing to await but its HTTP answers


async def run(instances: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="entity-bench-") as tmp:
        app_dir = Path(tmp) / "app"
        app_dir.mkdir()
        (app_dir / "function_app.py").write_text(APP)
        host = DevhostProcess(Path(tmp) / "hub.sqlite3", log=Path(tmp) / "devhost.log",
                              app_dir=app_dir)
        await host.start()
        try:
            connector = aiohttp.TCPConnector(limit=CONCURRENCY)
            async with aiohttp.ClientSession(connector=connector) as http:
                await timed_starts(host, http, "two_calls", ["warm"] * 20)  # warm-up
                await timed_starts(host, http, "two_activities", [None] * 20)
                activities = await timed_starts(host, http, "two_activities",
                                                [None] * instances)
                calls = await timed_starts(host, http, "two_calls",
                                           [f"k{i % ENTITIES}" for i in range(instances)])
                starts = await timed_starts(host, http, "nothing", [None] * instances)
                signals = await timed_signals(host, http, instances)
        finally:
            await host.stop()
    return {"instances": instances,
            "two_activities_per_s": instances / activities,
            "two_entity_calls_per_s": instances / calls,
            "calls_ratio": activities / calls,
            "starts_completed_per_s": instances / starts,
            "signals_applied_per_s": instances / signals,
            "signals_ratio": starts / signals}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.entity_bench",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=500)
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.instances))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"orchestrations with two entity calls: {result['two_entity_calls_per_s']:.0f}/s, "
          f"with two activities (baseline): {result['two_activities_per_s']:.0f}/s, "
          f"ratio {result['calls_ratio']:.2f}")
    print(f"client signals applied: {result['signals_applied_per_s']:.0f}/s, orchestration "
          f"starts completed (baseline): {result['starts_completed_per_s']:.0f}/s, "
          f"ratio {result['signals_ratio']:.2f}")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
