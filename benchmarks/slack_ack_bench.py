"""How long the Slack endpoints take to answer, against Slack's 3,000 ms acknowledgement budget.

Runs the real function app under `python -m devhost` (its own process, real clock) with Slack's
Web API replaced by the recording fake, and fires signed requests from 50 concurrent clients. The
clients and the fake run in this process, so the host's event loop carries only the host's work
(requests, orchestrations, activities), as it would with real Slack and real people:

  * baseline      a trivial HTTP function added to the same host (what devhost itself costs)
  * floor         the least a command can do: Bolt verifies the request and one (no-op)
                  orchestration is started through the durable client, then the ack
  * commands      `/expense <amount> <description>`: verify, parse, start the orchestration, ack
                  (each client is another person)
  * interactions  Approve clicks on distinct waiting requests: verify, read the instance, raise
                  the decision, replace the buttons through response_url, re-read, ack

Then the same with one client, which gives each request's own service time. Prints p50/p99 per
endpoint in ms, as a share of the 3,000 ms budget and as a multiple of the baseline measured in
the same run, and the CPU time each request cost devhost's HTTP process and its background
worker: at 50 clients every request in flight shares the HTTP process's one core, so a multiple
of the trivial function's CPU time is the least multiple its answer time can come to. Saves them
to benchmarks/results/slack_ack.json.

    python -m benchmarks.slack_ack_bench [--requests 500] [--concurrency 50]
"""

from __future__ import annotations

import asyncio
import itertools
import platform
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from benchmarks.bench_host import bench_host, load_arguments, save_report
from benchmarks.host_cpu import HostCpu
from benchmarks.stats import percentile
from testkit import slack_requests
from testkit.devhost_process import DevhostProcess
from testkit.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parents[1]

SLACK_ACK_BUDGET_MS = 3000.0
TOKEN = "xoxb-bench"
RUNS = itertools.count()
SECRET = "bench-signing-secret"
APPROVER = "UAPPROVER"
RESULTS = ROOT / "benchmarks" / "results" / "slack_ack.json"

# The product's function_app.py plus one trivial HTTP function, loaded by devhost like any app.
BENCH_APP = f'''
import importlib.util
import azure.functions as func

_spec = importlib.util.spec_from_file_location("product_function_app", {str(ROOT / "function_app.py")!r})
_product = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_product)
app = _product.app


@app.route(route="bench/ping", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def bench_ping(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("ok")


from slack_bolt.async_app import AsyncApp
from bot.config import slack_settings
from bot.slack.adapter import to_bolt_request
from bot.slack.authorization import SettingsAuthorize

_floor = AsyncApp(signing_secret=slack_settings().signing_secret, authorize=SettingsAuthorize(slack_settings()),
                  process_before_response=True)


@_floor.command("/expense")
async def _start_one(ack, context):
    await context["durable"].start_new("bench_no_op", None, {{"amount": 1}})
    await ack(text="started")


@app.orchestration_trigger(context_name="context")
def bench_no_op(context):
    return None


@app.route(route="bench/floor", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@app.durable_client_input(client_name="client")
async def bench_floor(req: func.HttpRequest, client) -> func.HttpResponse:
    request = to_bolt_request(req.get_body(), dict(req.headers), {{}}, {{"durable": client}})
    response = await _floor.async_dispatch(request)
    return func.HttpResponse(response.body, status_code=response.status)
'''


async def run_load(
    count: int, concurrency: int, one: Callable[[int], Awaitable[int]]
) -> tuple[list[float], dict[int, int]]:
    """``count`` requests from ``concurrency`` clients; latencies in ms and status counts."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = iter(range(count))

    async def client() -> None:
        for index in queue:
            started = time.perf_counter()
            status = await one(index)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, statuses


def summary(name: str, latencies: list[float], statuses: dict[int, int], baseline: dict | None,
            cpu: dict[str, float] | None = None) -> dict:
    p50, p99 = statistics.median(latencies), percentile(latencies, 99)
    result = {
        "requests": len(latencies), "statuses": statuses,
        "p50_ms": round(p50, 2), "p99_ms": round(p99, 2), "max_ms": round(max(latencies), 2),
        "p50_share_of_3000ms": round(p50 / SLACK_ACK_BUDGET_MS, 4),
        "p99_share_of_3000ms": round(p99 / SLACK_ACK_BUDGET_MS, 4),
        **(cpu or {}),
    }
    if baseline is not None:
        result["p50_vs_baseline"] = round(p50 / baseline["p50_ms"], 2)
        result["p99_vs_baseline"] = round(p99 / baseline["p99_ms"], 2)
        if cpu and baseline.get("http_process_cpu_ms"):
            result["http_cpu_vs_baseline"] = round(cpu["http_process_cpu_ms"] / baseline["http_process_cpu_ms"], 2)
    line = f"{name:<13} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  ({p99 / SLACK_ACK_BUDGET_MS:6.1%} of 3 s)"
    if baseline is not None:
        line += f"  {result['p50_vs_baseline']:5.1f}x / {result['p99_vs_baseline']:5.1f}x baseline p50/p99"
    if cpu:
        line += f"  CPU/request: HTTP {cpu['http_process_cpu_ms']:.2f} ms"
        if "http_cpu_vs_baseline" in result:
            line += f" ({result['http_cpu_vs_baseline']:.1f}x)"
        line += f", worker {cpu['worker_process_cpu_ms']:.2f} ms"
    print(line + f"  statuses {statuses}")
    return result


async def measured_load(host: DevhostProcess, count: int, concurrency: int, one: Callable[[int], Awaitable[int]],
                        ) -> tuple[list[float], dict[int, int], dict[str, float]]:
    """run_load, and the CPU time per request it cost devhost's processes."""
    cpu = HostCpu(host.pid)
    before = cpu.spent()
    latencies, statuses = await run_load(count, concurrency, one)
    return latencies, statuses, (cpu.spent() - before).per_request_ms(count)


async def settled(host: DevhostProcess, done: Callable[[dict], bool]) -> None:
    """Until every instance satisfies ``done`` (polled: the host is another process)."""
    async with aiohttp.ClientSession() as session:
        await host.wait_for_all(session, lambda rows: all(done(row) for row in rows), timeout=900, interval=0.5)


def waiting_for_a_decision(row: dict) -> bool:
    return ended(row) or (row["customStatus"] or {}).get("stage") == "waiting_for_approval"


def ended(row: dict) -> bool:
    return row["runtimeStatus"] in ("Completed", "Failed", "Terminated")


async def measure(host: DevhostProcess, fake: FakeSlackApi, post, requests: int, concurrency: int) -> dict:
    """Baseline, commands, then Approve clicks on the requests those commands started."""

    async def ping(_: int) -> int:
        return await post("/api/bench/ping", "x=1", signed=False)

    run = next(RUNS)  # the same text again within a minute would be answered as a repeat

    async def command(index: int) -> int:
        body = slack_requests.slash_command_body(
            f"{100 + index} Benchmark expense {run}-{index}", user_id=requester(index, concurrency),
            response_url=fake.response_url("bench"),
        )
        return await post("/api/slack/commands", body)

    async def floor(index: int) -> int:
        body = slack_requests.slash_command_body(f"{index} floor", user_id="UREQUESTER")
        return await post("/api/bench/floor", body)

    results: dict = {}
    latencies, statuses, cpu = await measured_load(host, requests, concurrency, ping)
    results["baseline"] = summary("baseline", latencies, statuses, None, cpu)
    latencies, statuses, cpu = await measured_load(host, requests, concurrency, floor)
    results["floor"] = summary("floor", latencies, statuses, results["baseline"], cpu)
    posted_before = len(fake.succeeded("chat.postMessage"))
    latencies, statuses, cpu = await measured_load(host, requests, concurrency, command)
    results["commands"] = summary("commands", latencies, statuses, results["baseline"], cpu)

    await settled(host, waiting_for_a_decision)  # every request is posted and waiting
    approval_ids = [
        element["value"]
        for call in fake.succeeded("chat.postMessage")[posted_before:] if call.args.get("channel") == "CAPPROVE"
        for block in call.args["blocks"] if block["type"] == "actions"
        for element in block["elements"] if element["action_id"] == "approve_request"
    ]

    async def click(index: int) -> int:
        payload = slack_requests.button_click(
            "approve_request", approval_ids[index], user_id=APPROVER, response_url=fake.response_url(f"click-{index}"),
        )
        return await post("/api/slack/interactions", slack_requests.interaction_body(payload))

    hooks_before = len(fake.calls_to("response_url"))
    latencies, statuses, cpu = await measured_load(host, len(approval_ids), concurrency, click)
    results["interactions"] = summary("interactions", latencies, statuses, results["baseline"], cpu)
    replies = fake.calls_to("response_url")[hooks_before:]
    shown = sum(1 for call in replies if call.args.get("replace_original") is True)
    results["interactions"]["clicks_shown_the_recorded_outcome"] = shown
    results["interactions"]["clicks_told_it_is_being_recorded"] = len(replies) - shown
    print(f"{'':<13} {shown}/{len(replies)} clicks saw the recorded decision in their ack; "
          f"the rest were told it is being recorded")
    await settled(host, ended)
    return results


def requester(index: int, people: int) -> str:
    """Who types the index-th command: as many people as there are clients, each typing in turn
    (one person making every request would have a Home tab listing hundreds of their own)."""
    return f"UREQUESTER{index % people}"


def slack_env(fake: FakeSlackApi) -> dict[str, str]:
    """The app's Slack settings, pointed at the recording fake."""
    return {
        "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "APPROVAL_CHANNEL": "CAPPROVE", "ESCALATION_CHANNEL": "CESCALATE", "APPROVER_USER_IDS": APPROVER,
        "SKIP_SLACK_SDK_WARNING": "1",
    }


async def bench(requests: int, concurrency: int, devhost_arguments: list[str]) -> dict:
    async with FakeSlackApi(token=TOKEN) as fake:
        async with bench_host(BENCH_APP, slack_env(fake), SECRET, concurrency, devhost_arguments) as (host, post):
            print("-- warm-up (not recorded) --")  # imports, connection pools
            await measure(host, fake, post, 10, 5)

            results: dict = {}
            for label, clients in (("concurrent", concurrency), ("sequential", 1)):
                print(f"-- {clients} client(s) --")
                results[label] = await measure(host, fake, post, requests if clients > 1 else 100, clients)
        return results


def main() -> None:
    args = load_arguments(__doc__)
    print(f"Slack ack latency on devhost: {args.requests} requests per endpoint, {args.concurrency} concurrent clients")
    results = asyncio.run(bench(args.requests, args.concurrency,
                                  ["--single-process"] if args.single_process else []))
    report = {
        "benchmark": "slack_ack", "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(), "machine": platform.machine(),
        "requests_per_endpoint": args.requests, "concurrency": args.concurrency,
        "note": "devhost answers HTTP in one process and runs orchestrations and activities in a background "
                "worker (one process with --single-process); the clients and the fake Slack run in the "
                "benchmark's process",
        "devhost_arguments": ["--single-process"] if args.single_process else [],
        "budget_ms": SLACK_ACK_BUDGET_MS, "results": results,
    }
    save_report(RESULTS, report)


if __name__ == "__main__":
    main()
