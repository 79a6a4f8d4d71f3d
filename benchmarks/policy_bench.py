"""Orchestrations per second under a two-stage approval policy, beside the single-stage workflow.

The real function app under `python -m devhost` (its own process, one SQLite file), Slack's Web
API replaced by the recording fake, so every activity makes its real Slack calls. N approvals
run at once over the HTTP API: start, wait until it waits, approve (and under the policy, once
more for the second stage), until Completed. The same N run on a fresh process without a policy
(the baseline: one stage) and with a policy of two stages and two reminder points (timers that
are created and cancelled, never fired). Several rounds each; the median, and the ratio of
medians. Each two-stage request takes twice the decisions and one more Slack activity, so about
half the rate is what the extra work alone costs.

    python -m benchmarks.policy_bench [--approvals 200] [--rounds 3]

Writes benchmarks/results/policy.json. It asserts nothing.
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
from typing import Any

import aiohttp

from testkit.devhost_process import DevhostProcess, poll
from testkit.slack_api import FakeSlackApi
from testkit.slack_client import APPROVER, OTHER_APPROVER, TOKEN, slack_settings

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "policy.json"
CONCURRENCY = 50
WARMUP = 10
POLICY = f"""\
name: bench
tiers:
  - name: two-stage
    stages:
      - {{name: manager, approvers: {{slack: [{APPROVER}]}}, deadline: 1d}}
      - {{name: finance, approvers: {{slack: [{OTHER_APPROVER}]}}, deadline: 1d}}
    reminders: [50%, 90%]
"""


async def one_approval(http: aiohttp.ClientSession, host: DevhostProcess, index: int, stages: int) -> None:
    body = {"amount": 100 + index % 900, "requester": "carol@company.com", "description": f"Bench {index}",
            "timeout_minutes": 24 * 60}
    async with http.post(f"{host.origin}/api/human_interaction", json=body) as response:
        assert response.status == 202, await response.text()
        started = await response.json()
    for stage in range(stages):
        await poll(http, host.origin, started["id"], lambda s, stage=stage: isinstance(s["customStatus"], dict)
                   and s["customStatus"].get("stage") == "waiting_for_approval"
                   and s["customStatus"].get("policyStage", 0) == stage, timeout=300)
        async with http.post(f"{host.origin}/api/approve/{started['approvalId']}",
                             json={"approved": True, "approver": f"approver{stage}@company.com"}) as response:
            assert response.status == 202, await response.text()
    done = await poll(http, host.origin, started["id"], lambda s: s["runtimeStatus"] in ("Completed", "Failed"),
                      timeout=300)
    assert done["output"]["status"] == "Approved", done
    assert len(done["output"].get("stages", [None])) == stages, done["output"]


async def rate(http: aiohttp.ClientSession, host: DevhostProcess, count: int, first: int, stages: int) -> float:
    queue = iter(range(first, first + count))

    async def client() -> None:
        for index in queue:
            await one_approval(http, host, index, stages)

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    return count / (time.perf_counter() - began)


async def measure(approvals: int, rounds: int, stages: int, policy: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="policy-bench-") as tmp:
        async with FakeSlackApi(token=TOKEN) as fake, aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=300), connector=aiohttp.TCPConnector(limit=CONCURRENCY * 2)
        ) as http:
            env = slack_settings(fake) | ({"APPROVAL_POLICY_FILE": str(policy)} if policy else {})
            host = DevhostProcess(Path(tmp) / "hub.sqlite3", env, Path(tmp) / "devhost.log")
            await host.start()
            try:
                await rate(http, host, WARMUP, 0, stages)
                rates = []
                for number in range(rounds):
                    rates.append(await rate(http, host, approvals, WARMUP + number * approvals, stages))
                    print(f"  {stages} stage(s), round {number + 1}: {rates[-1]:.1f} orchestrations/s", flush=True)
            finally:
                await host.stop()
    return {"stages": stages, "median_per_s": round(statistics.median(rates), 1),
            "min_per_s": round(min(rates), 1), "max_per_s": round(max(rates), 1), "rounds": rounds}


async def bench(approvals: int, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="policy-file-") as tmp:
        policy = Path(tmp) / "policy.yaml"
        policy.write_text(POLICY)
        single = await measure(approvals, rounds, 1, None)
        two = await measure(approvals, rounds, 2, policy)
    return {"approvals": approvals, "concurrency": CONCURRENCY, "single_stage": single, "two_stage": two,
            "ratio": round(two["median_per_s"] / single["median_per_s"], 3)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--approvals", type=int, default=200, help="approvals per round (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per configuration (default 3)")
    args = parser.parse_args(argv)
    results = asyncio.run(bench(args.approvals, args.rounds))
    print(f"two-stage policy: {results['two_stage']['median_per_s']} /s, single stage: "
          f"{results['single_stage']['median_per_s']} /s ({results['ratio']}x)")
    report = {"benchmark": "policy", "when": datetime.now(UTC).isoformat(timespec="seconds"), "results": results}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
