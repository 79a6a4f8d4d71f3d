"""devhost performance, measured against Microsoft's in-memory Durable Task backend.

    python -m benchmarks.devhost_bench [--instances 500] [--rounds 5] [--timers 1000] [--waiting 10000]

1. Throughput: an approval-shaped orchestration (activity, then the first of an external event
   and a timer, cancel the timer, activity) for N concurrent instances, started and decided over
   HTTP on a `python -m devhost` process (every step written to SQLite), and the same shape on
   `durabletask.testing`'s in-memory backend (gRPC, nothing on disk) in the same run. Each side
   runs several rounds after a warm-up; a single round of the in-memory backend varies about 2x
   from one to the next, so both report the median and the range, and the ratio is of medians.
2. Timer lateness (p50/p99) with 1,000 pending timers: how long after its fire time each timer
   reached its orchestrator (the orchestrator reports current_utc_datetime - fire time).
3. Resident memory of the devhost process with 10,000 waiting instances.
4. Restart time with those 10,000 waiting instances: SIGKILL, start again, until the HTTP API
   answers and until a decision raised on a waiting instance has completed it.

Prints the figures and writes them to benchmarks/results/devhost.json. It asserts nothing.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import socket
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from benchmarks.stats import percentile, spread
from testkit.devhost_process import DevhostProcess, poll

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "devhost.json"
MGMT = "/runtime/webhooks/durabletask"
POLL = 0.05  # seconds between status polls of one instance (both backends)
WARMUP = 20  # instances run on each backend before the measured rounds

APP = '''
import json
from datetime import timedelta

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="start/{name}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def start(req: func.HttpRequest, client) -> func.HttpResponse:
    instance_id = await client.start_new(req.route_params["name"], None, req.get_json())
    return client.create_check_status_response(req, instance_id)


@app.orchestration_trigger(context_name="context")
def approval(context: df.DurableOrchestrationContext):
    request = context.get_input()
    sent = yield context.call_activity("send_request", request)
    context.set_custom_status("waiting")
    timer = context.create_timer(context.current_utc_datetime + timedelta(hours=1))
    decision = context.wait_for_external_event("decision")
    winner = yield context.task_any([decision, timer])
    if winner == decision:
        timer.cancel()
    result = yield context.call_activity("process", {"sent": sent, "approved": winner == decision})
    return result


@app.orchestration_trigger(context_name="context")
def lateness(context: df.DurableOrchestrationContext):
    fire_at = context.current_utc_datetime + timedelta(seconds=context.get_input())
    yield context.create_timer(fire_at)
    return (context.current_utc_datetime - fire_at).total_seconds() * 1000


@app.activity_trigger(input_name="request")
def send_request(request: dict) -> str:
    return "sent"


@app.activity_trigger(input_name="data")
def process(data: dict) -> dict:
    return data
'''


# ------------------------------------------------------------------------- devhost process
def rss_mb(host: DevhostProcess) -> float:
    return psutil.Process(host.pid).memory_info().rss / 2**20


async def wait_status(http: aiohttp.ClientSession, origin: str, iid: str, ok: Any, timeout: float = 300) -> dict:
    return await poll(http, origin, iid, ok, timeout, interval=POLL)


async def devhost_throughput(host: DevhostProcess, http: aiohttp.ClientSession, n: int) -> float:
    async def one(i: int) -> None:
        async with http.post(f"{host.origin}/api/start/approval", json={"n": i}) as resp:
            urls = await resp.json()
        await wait_status(http, host.origin, urls["id"], lambda s: s["customStatus"] == "waiting")
        send = urls["sendEventPostUri"].replace("{eventName}", "decision")
        async with http.post(send, json={"approved": True}) as resp:
            assert resp.status == 202, resp.status
        status = await wait_status(http, host.origin, urls["id"],
                                   lambda s: s["runtimeStatus"] in ("Completed", "Failed"))
        assert status["output"] == {"sent": "sent", "approved": True}, status

    began = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return n / (time.perf_counter() - began)


async def start_many(http: aiohttp.ClientSession, origin: str, name: str, inputs: list[Any],
                     concurrency: int = 64, id_prefix: str = "") -> list[str]:
    queue = list(enumerate(inputs))
    results: dict[int, str] = {}

    async def worker() -> None:
        while queue:
            i, value = queue.pop()
            suffix = f"/{id_prefix}{i:06d}" if id_prefix else ""
            async with http.post(f"{origin}/durabletask/orchestrators/{name}{suffix}",
                                 json=json.dumps(value)) as resp:
                results[i] = (await resp.json())["id"]

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return [results[i] for i in range(len(inputs))]


async def timer_lateness(host: DevhostProcess, http: aiohttp.ClientSession, n: int) -> dict:
    """n instances whose timers are all pending at once, due over a 2-second window."""
    delays = [6 + 2 * i / n for i in range(n)]
    await start_many(http, host.origin, "lateness", delays, id_prefix="late-")
    base = f"{host.origin}/durabletask/instances/?instanceIdPrefix=late-"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:  # a cheap probe: is any of them still waiting?
        async with http.get(f"{base}&runtimeStatus=Pending,Running&top=1&showInput=false") as r:
            if not await r.json():
                break
        await asyncio.sleep(0.5)
    async with http.get(f"{base}&runtimeStatus=Completed") as r:
        late = [row["output"] for row in await r.json()]
    return {"timers": len(late), "p50_ms": round(percentile(late, 50), 1),
            "p99_ms": round(percentile(late, 99), 1), "max_ms": round(max(late), 1)}


async def waiting_instances(host: DevhostProcess, http: aiohttp.ClientSession, n: int) -> list[str]:
    ids = await start_many(http, host.origin, "approval", [{"n": i} for i in range(n)])
    deadline = time.monotonic() + 600
    while True:
        async with http.get(f"{host.origin}/durabletask/instances/?runtimeStatus=Running"
                            "&showInput=false") as r:
            rows = await r.json()
        if sum(1 for row in rows if row["customStatus"] == "waiting") >= n:
            return ids
        if time.monotonic() > deadline:
            raise TimeoutError("instances did not reach their wait")
        await asyncio.sleep(0.5)


async def restart(host: DevhostProcess, http: aiohttp.ClientSession, some_id: str) -> dict:
    await host.kill()
    began = time.perf_counter()
    serving = await host.start()
    async with http.post(f"{host.origin}{MGMT}/instances/{some_id}/raiseEvent/decision",
                         json=True) as resp:
        assert resp.status == 202
    await wait_status(http, host.origin, some_id, lambda s: s["runtimeStatus"] == "Completed")
    decided = time.perf_counter() - began
    return {"serving_s": round(serving, 3), "first_decision_completed_s": round(decided, 3)}


async def devhost_section(args: argparse.Namespace) -> dict:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="devhost-bench-") as tmp:
        app_dir = Path(tmp) / "app"
        app_dir.mkdir()
        (app_dir / "function_app.py").write_text(APP)
        host = DevhostProcess(Path(tmp) / "hub.sqlite3", app_dir=app_dir,
                              arguments=["--single-process"] if args.single_process else [])
        await host.start()
        connector = aiohttp.TCPConnector(limit=100)
        async with aiohttp.ClientSession(connector=connector) as http:
            try:
                await devhost_throughput(host, http, WARMUP)
                rates = [await devhost_throughput(host, http, args.instances) for _ in range(args.rounds)]
                results["devhost_instances_per_s_rounds"] = spread(rates)
                results["devhost_instances_per_s"] = results["devhost_instances_per_s_rounds"]["median"]
                print(f"devhost: {results['devhost_instances_per_s_rounds']} instances/s", flush=True)
                results["timer_lateness"] = await timer_lateness(host, http, args.timers)
                print(f"timer lateness: {results['timer_lateness']}", flush=True)
                ids = await waiting_instances(host, http, args.waiting)
                results["waiting_instances"] = args.waiting
                results["rss_mb_waiting"] = round(rss_mb(host), 1)
                print(f"RSS with {args.waiting} waiting instances: {results['rss_mb_waiting']} MB",
                      flush=True)
                results["restart"] = await restart(host, http, ids[0])
                results["rss_mb_after_restart"] = round(rss_mb(host), 1)
                print(f"restart: {results['restart']}", flush=True)
            finally:
                await host.kill()
    return results


# ------------------------------------------------------------------- durabletask baseline
def durabletask_throughput(n: int, rounds: int) -> list[float]:
    """Instances per second on the in-memory backend, one figure per round after a warm-up."""
    from durabletask import client as dt_client
    from durabletask import task as dt_task
    from durabletask import worker as dt_worker
    from durabletask.testing import create_test_backend

    def send_request(ctx: dt_task.ActivityContext, request: dict) -> str:
        return "sent"

    def process(ctx: dt_task.ActivityContext, data: dict) -> dict:
        return data

    def approval(ctx: dt_task.OrchestrationContext, request: dict):
        sent = yield ctx.call_activity(send_request, input=request)
        ctx.set_custom_status("waiting")
        timer = ctx.create_timer(timedelta(hours=1))
        decision = ctx.wait_for_external_event("decision")
        winner = yield dt_task.when_any([decision, timer])
        if winner == decision:
            timer.cancel()
        result = yield ctx.call_activity(process, input={"sent": sent, "approved": winner == decision})
        return result

    quiet = logging.getLogger("benchmarks.durabletask")
    quiet.setLevel(logging.ERROR)
    port = free_port()
    backend = create_test_backend(port=port)
    worker = dt_worker.TaskHubGrpcWorker(host_address=f"localhost:{port}", logger=quiet)
    worker.add_orchestrator(approval)
    worker.add_activity(send_request)
    worker.add_activity(process)
    worker.start()

    async def run() -> list[float]:
        client = dt_client.AsyncTaskHubGrpcClient(host_address=f"localhost:{port}", logger=quiet)

        async def one(i: int) -> None:
            iid = await client.schedule_new_orchestration(approval, input={"n": i})
            while True:
                state = await client.get_orchestration_state(iid)
                if state and state.serialized_custom_status == json.dumps("waiting"):
                    break
                await asyncio.sleep(POLL)
            await client.raise_orchestration_event(iid, "decision", data={"approved": True})
            # Poll like the devhost side: the backend serves blocking waits from 10 threads.
            while True:
                state = await client.get_orchestration_state(iid)
                if state and state.runtime_status.name in ("COMPLETED", "FAILED"):
                    break
                await asyncio.sleep(POLL)
            assert state and json.loads(state.serialized_output) == {"sent": "sent", "approved": True}

        async def round_(size: int) -> float:
            began = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(size)))
            return size / (time.perf_counter() - began)

        await round_(WARMUP)
        rates = [await round_(n) for _ in range(rounds)]
        await client.close()
        return rates

    try:
        return asyncio.run(run())
    finally:
        worker.stop()
        backend.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> None:
    global POLL
    parser = argparse.ArgumentParser(prog="python -m benchmarks.devhost_bench")
    parser.add_argument("--instances", type=int, default=500, help="throughput instances")
    parser.add_argument("--rounds", type=int, default=5, help="throughput rounds on each backend")
    parser.add_argument("--timers", type=int, default=1000, help="pending timers")
    parser.add_argument("--waiting", type=int, default=10000, help="waiting instances")
    parser.add_argument("--poll", type=float, default=POLL,
                        help="seconds between status polls of one instance (both backends)")
    parser.add_argument("--single-process", action="store_true",
                        help="run devhost without its background worker process (for comparison)")
    args = parser.parse_args(argv)
    POLL = args.poll

    baseline = spread(durabletask_throughput(args.instances, args.rounds))
    print(f"durabletask in-memory backend: {baseline} instances/s", flush=True)
    results = asyncio.run(devhost_section(args))
    results["durabletask_inmemory_instances_per_s_rounds"] = baseline
    results["durabletask_inmemory_instances_per_s"] = baseline["median"]
    results["throughput_ratio"] = round(results["devhost_instances_per_s"] / baseline["median"], 2)
    results["instances"] = args.instances
    results["rounds"] = args.rounds
    results["poll_interval_s"] = args.poll
    results["targets"] = {"throughput_ratio": ">= 1.0", "timer_p99_ms": "< 100",
                          "rss_mb_waiting": "< 300", "restart_s": "< 5"}
    print(f"throughput ratio devhost / in-memory: {results['throughput_ratio']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
