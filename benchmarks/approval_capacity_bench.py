"""Memory per waiting approval, and restart time with 10,000 of them waiting.

The real function app under `python -m devhost` (its own process, one SQLite file), Slack's Web
API replaced by the recording fake. N approvals are started over the HTTP API and left waiting
(each posted to Slack, each with a pending durable timer). Measured against baselines from the
same run:

  * memory    resident memory of the devhost process with N waiting, minus the same process
              warmed up with a handful of approvals (baseline); divided by N
  * restart   SIGKILL with N waiting, start again: seconds until it serves HTTP, and until a
              decision on one of the waiting approvals has completed it; baseline: the same
              with a single waiting approval (the one decided), on the same process and file

    python -m benchmarks.approval_capacity_bench [--approvals 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import psutil

from testkit.devhost_process import DevhostProcess
from testkit.slack_api import FakeSlackApi
from testkit.slack_client import APPROVAL_CHANNEL, TOKEN, slack_settings

ROOT = Path(__file__).resolve().parents[1]

RESULTS = ROOT / "benchmarks" / "results" / "approval_capacity.json"
WARMUP = 20
CONCURRENCY = 50


def rss_mb(host: DevhostProcess) -> float:
    return psutil.Process(host.pid).memory_info().rss / 2**20


async def start_approvals(http: aiohttp.ClientSession, host: DevhostProcess, count: int, first: int) -> list[str]:
    ids: list[str] = []
    queue = iter(range(first, first + count))

    async def client() -> None:
        for index in queue:
            body = {"amount": 100 + index % 900, "requester": "carol@company.com",
                    "description": f"Capacity {index}", "timeout_minutes": 24 * 60}
            async with http.post(f"{host.origin}/api/human_interaction", json=body) as response:
                assert response.status == 202, await response.text()
                ids.append((await response.json())["id"])

    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    return ids


async def all_posted(fake: FakeSlackApi, count: int) -> None:
    await fake.wait_for(lambda f: len([c for c in f.succeeded("chat.postMessage")
                                       if c.args.get("channel") == APPROVAL_CHANNEL]) >= count, timeout=1800)


async def restart(host: DevhostProcess, http: aiohttp.ClientSession, instance_id: str) -> dict:
    """SIGKILL, start again; seconds until serving and until a decision completed ``instance_id``."""
    await host.kill()
    began = time.perf_counter()
    await host.start()
    serving = time.perf_counter() - began
    async with http.post(f"{host.origin}/api/approve/approval-{instance_id}",
                         json={"approved": True, "approver": "bench@company.com"}) as response:
        assert response.status == 202, await response.text()
    while True:  # another process: poll its status API
        async with http.get(f"{host.management}/instances/{instance_id}") as response:
            if (await response.json())["runtimeStatus"] == "Completed":
                break
        await asyncio.sleep(0.01)
    return {"serving_s": round(serving, 3), "first_decision_completed_s": round(time.perf_counter() - began, 3)}


async def bench(approvals: int) -> dict:
    results: dict = {"approvals": approvals}
    with tempfile.TemporaryDirectory(prefix="capacity-bench-") as tmp:
        db = Path(tmp) / "hub.sqlite3"
        async with FakeSlackApi(token=TOKEN) as fake, aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=120), connector=aiohttp.TCPConnector(limit=CONCURRENCY)
        ) as http:
            host = DevhostProcess(db, {**slack_settings(fake), "TASKHUB_NAME": "default"}, Path(tmp) / "devhost.log")
            await host.start()
            try:
                (single,) = await start_approvals(http, host, 1, 0)
                await all_posted(fake, 1)
                results["baseline_restart"] = await restart(host, http, single)
                results["baseline_restart"]["waiting_approvals"] = 1
                # the baseline process: warmed up (imports, Bolt, pools) with a handful waiting
                await start_approvals(http, host, WARMUP, 1)
                await all_posted(fake, 1 + WARMUP)
                results["baseline_rss_mb"] = round(rss_mb(host), 1)
                results["baseline_waiting_approvals"] = WARMUP
                print(f"baseline: restart {results['baseline_restart']}, RSS {results['baseline_rss_mb']} MB",
                      flush=True)

                began = time.perf_counter()
                ids = await start_approvals(http, host, approvals, 1 + WARMUP)
                await all_posted(fake, 1 + WARMUP + approvals)
                results["start_and_post_per_s"] = round(approvals / (time.perf_counter() - began), 1)
                results["rss_mb"] = round(rss_mb(host), 1)
                results["kib_per_waiting_approval"] = round(
                    (results["rss_mb"] - results["baseline_rss_mb"]) * 1024 / approvals, 2)
                results["db_kib_per_approval"] = round(db.stat().st_size / 1024 / (approvals + 1 + WARMUP), 2)
                print(f"{approvals} waiting: RSS {results['rss_mb']} MB, "
                      f"{results['kib_per_waiting_approval']} KiB per waiting approval", flush=True)
                results["restart"] = await restart(host, http, ids[len(ids) // 2])
                results["rss_mb_after_restart"] = round(rss_mb(host), 1)
                results["restart_vs_baseline"] = round(
                    results["restart"]["serving_s"] / results["baseline_restart"]["serving_s"], 2)
                print(f"restart with {approvals} waiting: {results['restart']} "
                      f"({results['restart_vs_baseline']}x the restart with one waiting)", flush=True)
            finally:
                await host.stop()
    return results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--approvals", type=int, default=10_000, help="waiting approvals (default 10000)")
    args = parser.parse_args(argv)
    results = asyncio.run(bench(args.approvals))
    report = {"benchmark": "approval_capacity", "when": datetime.now(UTC).isoformat(timespec="seconds"),
              "results": results}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
