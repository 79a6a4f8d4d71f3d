"""My approvals with 1,000 requests waiting: how long `/expense list` and the App Home take to answer.

The real function app under `python -m devhost` (its own process, one SQLite file), Slack's Web
API replaced by the recording fake. N approvals are started over the HTTP API and left waiting.
Then an approver asks, over and over:

  * `/expense list`        the slash command's whole answer (signature, the instance query
                           through the management API page by page, every instance read by the
                           status reader, the blocks), as Slack waits for it
  * App Home               an app_home_opened event, until its answer (views.publish included)

Baseline, measured in the same run on the same process: the same two with a single waiting
request (before the N are started). Target: `/expense list` answers within 1 s with N = 1,000.

    python -m benchmarks.my_approvals_bench [--waiting 1000] [--samples 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from benchmarks.approval_capacity_bench import all_posted, start_approvals
from benchmarks.stats import percentile
from testkit import slack_requests as slack
from testkit.devhost_process import DevhostProcess
from testkit.slack_api import FakeSlackApi
from testkit.slack_client import APPROVER, SECRET, TOKEN, slack_settings

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "my_approvals.json"
TARGET_S = 1.0


async def timed_list(http: aiohttp.ClientSession, host: DevhostProcess, fake: FakeSlackApi) -> tuple[float, str]:
    body = slack.slash_command_body("list", user_id=APPROVER, response_url=fake.response_url("bench"))
    began = time.perf_counter()
    async with http.post(f"{host.origin}/api/slack/commands", data=body.encode(),
                         headers=slack.signed_headers(SECRET, body)) as response:
        text = await response.text()
        assert response.status == 200, text
    return time.perf_counter() - began, text


async def timed_home(http: aiohttp.ClientSession, host: DevhostProcess) -> float:
    body = slack.app_home_opened(APPROVER)
    began = time.perf_counter()
    async with http.post(f"{host.origin}/api/slack/events", data=body.encode(),
                         headers=slack.signed_headers(SECRET, body, content_type="application/json")) as response:
        assert response.status == 200, await response.text()
    return time.perf_counter() - began


def summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(percentile(ms, 95), 1),
            "max_ms": round(max(ms), 1), "samples": len(ms)}


async def measure(http: aiohttp.ClientSession, host: DevhostProcess, fake: FakeSlackApi, samples: int,
                  expect_waiting: int) -> dict[str, dict[str, float]]:
    await timed_list(http, host, fake)  # warm: imports, pools, the first query plan
    lists, homes = [], []
    for _ in range(samples):
        seconds, text = await timed_list(http, host, fake)
        assert f"Waiting for you ({expect_waiting})" in json.loads(text)["blocks"][0]["text"]["text"], text[:300]
        lists.append(seconds)
        homes.append(await timed_home(http, host))
    return {"list": summary(lists), "home": summary(homes)}


async def bench(waiting: int, samples: int) -> dict:
    results: dict = {"waiting": waiting}
    with tempfile.TemporaryDirectory(prefix="my-approvals-bench-") as tmp:
        async with FakeSlackApi(token=TOKEN) as fake, aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=120), connector=aiohttp.TCPConnector(limit=50)
        ) as http:
            host = DevhostProcess(Path(tmp) / "hub.sqlite3", {**slack_settings(fake), "TASKHUB_NAME": "default"},
                                  Path(tmp) / "devhost.log")
            await host.start()
            try:
                await start_approvals(http, host, 1, 0)
                await all_posted(fake, 1)
                results["baseline"] = await measure(http, host, fake, samples, 1)
                print(f"1 waiting: {results['baseline']}", flush=True)
                await start_approvals(http, host, waiting - 1, 1)
                await all_posted(fake, waiting)
                results["measured"] = await measure(http, host, fake, samples, waiting)
                print(f"{waiting} waiting: {results['measured']}", flush=True)
            finally:
                await host.stop()
    for kind in ("list", "home"):
        results[f"{kind}_p50_vs_baseline"] = round(
            results["measured"][kind]["p50_ms"] / results["baseline"][kind]["p50_ms"], 2)
    results["meets_target"] = results["measured"]["list"]["p95_ms"] < TARGET_S * 1000
    return results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--waiting", type=int, default=1000, help="waiting approvals (default 1000)")
    parser.add_argument("--samples", type=int, default=20, help="answers timed per size (default 20)")
    args = parser.parse_args(argv)
    results = asyncio.run(bench(args.waiting, args.samples))
    measured, base = results["measured"], results["baseline"]
    print(f"/expense list with {args.waiting} waiting: p50 {measured['list']['p50_ms']} ms, "
          f"p95 {measured['list']['p95_ms']} ms; {results['list_p50_vs_baseline']}x the answer with 1 waiting "
          f"({base['list']['p50_ms']} ms); target p95 < {TARGET_S * 1000:.0f} ms: "
          f"{'met' if results['meets_target'] else 'MISSED'}")
    print(f"App Home with {args.waiting} waiting: p50 {measured['home']['p50_ms']} ms, "
          f"{results['home_p50_vs_baseline']}x the tab with 1 waiting ({base['home']['p50_ms']} ms)")
    report = {"benchmark": "my_approvals", "when": datetime.now(UTC).isoformat(timespec="seconds"),
              "target_s": TARGET_S, "results": results}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
