"""Decision round trip: from an approver's click until the orchestration is Completed and the
request message in the channel shows the decision.

The real function app on devhost (real clock, one process), Slack's Web API replaced by the
recording fake. Requests are started with `/expense` and, one at a time, decided:

  * baseline  `POST /api/approve/{id}` (the HTTP API; no signature check, no Bolt, no
              response_url): the same workflow and the same message update
  * slack     a signed Approve click on `/api/slack/interactions`

Each sample ends when the instance is Completed *and* the fake has received the chat.update that
shows the outcome. Prints p50/p99 in ms, the ratio to the baseline, and the 250 ms target.

    python -m benchmarks.decision_roundtrip_bench [--samples 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from benchmarks.stats import percentile
from devhost.testing import run_devhost
from testkit import slack_requests
from testkit.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parents[1]

RESULTS = ROOT / "benchmarks" / "results" / "decision_roundtrip.json"
TARGET_P99_MS = 250.0
TOKEN, SECRET, APPROVER, CHANNEL = "xoxb-bench", "bench-signing-secret", "UAPPROVER", "CAPPROVE"


def summary(samples: list[float]) -> dict:
    return {"samples": len(samples), "p50_ms": round(statistics.median(samples), 2),
            "p99_ms": round(percentile(samples, 99), 2), "max_ms": round(max(samples), 2)}


async def bench(samples: int) -> dict:
    async with FakeSlackApi(token=TOKEN) as fake:
        env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
               "APPROVAL_CHANNEL": CHANNEL, "ESCALATION_CHANNEL": "CESCALATE", "APPROVER_USER_IDS": APPROVER,
               "SKIP_SLACK_SDK_WARNING": "1", "TASKHUB_NAME": "default"}
        async with run_devhost(ROOT, env=env) as host, aiohttp.ClientSession() as http:

            async def start(round_name: str, index: int) -> tuple[str, dict]:
                # distinct texts: the same command again within a minute is answered as a repeat
                body = slack_requests.slash_command_body(f"{100 + index} Round trip {round_name} {index}",
                                                         user_id="UREQUESTER",
                                                         response_url=fake.response_url("start"))
                async with http.post(f"{host.base_url}/api/slack/commands", data=body.encode(),
                                     headers=slack_requests.signed_headers(SECRET, body)) as response:
                    text = await response.text()
                instance_id = text.split("approval-")[1][:32]
                status = await host.wait_for_custom_status(
                    instance_id, lambda c: isinstance(c, dict) and c.get("stage") == "waiting_for_approval")
                return instance_id, status["customStatus"]["message"]

            async def shows_decision(message: dict) -> None:
                key = (message["channel"], message["ts"])

                def updated(f: FakeSlackApi) -> bool:
                    stored = f.messages.get(key)
                    return stored is not None and stored.updates > 0 and stored.text.startswith("Approved")

                await fake.wait_for(updated, timeout=30)

            async def by_http(instance_id: str, message: dict) -> None:
                async with http.post(f"{host.base_url}/api/approve/approval-{instance_id}",
                                     json={"approved": True, "approver": "bench@company.com"}) as response:
                    assert response.status == 202, await response.text()

            async def by_click(instance_id: str, message: dict) -> None:
                payload = slack_requests.button_click(
                    "approve_request", f"approval-{instance_id}", user_id=APPROVER, channel=message["channel"],
                    message_ts=message["ts"], response_url=fake.response_url(f"click-{instance_id}"))
                body = slack_requests.interaction_body(payload)
                async with http.post(f"{host.base_url}/api/slack/interactions", data=body.encode(),
                                     headers=slack_requests.signed_headers(SECRET, body)) as response:
                    assert response.status == 200, await response.text()

            results: dict = {}
            for name, decide in (("warmup", by_click), ("baseline", by_http), ("slack", by_click)):
                count = 5 if name == "warmup" else samples
                waiting = [await start(name, i) for i in range(count)]
                timings = []
                for instance_id, message in waiting:
                    began = time.perf_counter()
                    await decide(instance_id, message)
                    await host.wait_for_status(instance_id, "Completed", timeout=30)
                    await shows_decision(message)
                    timings.append((time.perf_counter() - began) * 1000)
                if name != "warmup":
                    results[name] = summary(timings)
            slack, base = results["slack"], results["baseline"]
            slack["p50_vs_baseline"] = round(slack["p50_ms"] / base["p50_ms"], 2)
            slack["p99_vs_baseline"] = round(slack["p99_ms"] / base["p99_ms"], 2)
            slack["p99_vs_target"] = round(slack["p99_ms"] / TARGET_P99_MS, 3)
            return results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=200, help="decisions per path (default 200)")
    args = parser.parse_args(argv)
    results = asyncio.run(bench(args.samples))
    for name, figures in results.items():
        print(f"decision round trip {name:<8} p50 {figures['p50_ms']:7.1f} ms  p99 {figures['p99_ms']:7.1f} ms")
    print(f"slack p99 is {results['slack']['p99_vs_baseline']}x the HTTP API's, "
          f"{results['slack']['p99_vs_target']:.0%} of the {TARGET_P99_MS:.0f} ms target")
    report = {"benchmark": "decision_roundtrip", "when": datetime.now(UTC).isoformat(timespec="seconds"),
              "target_p99_ms": TARGET_P99_MS, "results": results}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
