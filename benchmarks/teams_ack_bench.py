"""How long the Teams endpoint takes to answer, beside Slack's endpoints, on one devhost.

The real function app runs on devhost (real clock) with Slack and Teams both configured: Slack's Web
API is the recording Slack fake, Teams' Bot Connector the recording Teams fake (anonymous, as with
the Playground). From 50 concurrent clients, then from one:

  * baseline        a trivial HTTP function added to the same host (what devhost itself costs)
  * teams messages  `expense <amount> <description>` in a 1:1 chat: parse, start the orchestration,
                    answer with the confirmation card through the connector, 200
  * teams clicks    Approve (an adaptiveCard/action invoke) on distinct waiting requests: check who,
                    raise the decision, wait for it to be recorded, answer with the decided card
  * slack commands / slack interactions   the same work from Slack (benchmarks.slack_ack_bench)

Prints p50/p99 in ms and each as a multiple of the baseline measured in the same run, and saves
them to benchmarks/results/teams_ack.json.

    python -m benchmarks.teams_ack_bench [--requests 500] [--concurrency 50]
"""

from __future__ import annotations

import asyncio
import platform
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.bench_host import bench_host, load_arguments, save_report
from benchmarks.slack_ack_bench import (
    BENCH_APP,
    RUNS,
    SECRET,
    TOKEN,
    ended,
    run_load,
    settled,
    slack_env,
    summary,
    waiting_for_a_decision,
)
from benchmarks.slack_ack_bench import measure as measure_slack
from testkit.devhost_process import DevhostProcess
from testkit.slack_api import FakeSlackApi
from testkit.teams_connector import FakeConnector

ROOT = Path(__file__).resolve().parents[1]

RESULTS = ROOT / "benchmarks" / "results" / "teams_ack.json"
APPROVALS = "19:approvals@thread.tacv2"
BOT = {"id": "28:expense-bot", "name": "Expenses"}
REQUESTER = {"id": "29:alice", "name": "Alice"}
TEAMS_APPROVER = {"id": "29:bob", "name": "Bob"}


def activity(fake: FakeConnector, index: int, user: dict[str, str], conversation: dict, **fields) -> dict:
    return {"id": f"in-{index}", "channelId": "msteams", "serviceUrl": fake.service_url, "from": user,
            "recipient": BOT, "conversation": conversation, "timestamp": "2026-11-30T10:00:00Z", **fields}


async def measure_teams(host: DevhostProcess, fake: FakeConnector, post, requests: int, concurrency: int, baseline: dict) -> dict:
    """Messages that start requests, then Approve clicks on the requests they started."""
    chat = {"id": fake.personal_chat_of(REQUESTER["id"]), "conversationType": "personal"}
    posted_before = len(fake.in_conversation(APPROVALS))
    run = next(RUNS)  # every run its own texts, like the Slack side

    async def message(index: int) -> int:
        return await post("/api/teams/messages", activity(
            fake, index, REQUESTER, chat, type="message", text=f"expense {100 + index} Benchmark expense {run}-{index}"))

    results: dict = {}
    latencies, statuses = await run_load(requests, concurrency, message)
    results["messages"] = summary("teams message", latencies, statuses, baseline)
    await settled(host, waiting_for_a_decision)  # every request is posted and waiting
    cards = fake.in_conversation(APPROVALS)[posted_before:]
    ids = [action["data"]["approvalId"] for card in cards for action in card.card["actions"]
           if action.get("verb") == "approve"]

    async def click(index: int) -> int:
        value = {"action": {"type": "Action.Execute", "verb": "approve", "data": {"approvalId": ids[index]}},
                 "trigger": "manual"}
        return await post("/api/teams/messages", activity(
            fake, index, TEAMS_APPROVER, {"id": APPROVALS, "conversationType": "channel", "isGroup": True},
            type="invoke", name="adaptiveCard/action", value=value, replyToId=cards[index].activity_id))

    latencies, statuses = await run_load(len(ids), concurrency, click)
    results["clicks"] = summary("teams click", latencies, statuses, baseline)
    await settled(host, ended)
    return results


async def bench(requests: int, concurrency: int, devhost_arguments: list[str]) -> dict:
    async with FakeSlackApi(token=TOKEN) as slack, FakeConnector() as teams:
        env = {
            **slack_env(slack),
            "TEAMS_ENABLED": "true", "TEAMS_SERVICE_URL": teams.service_url,
            "TEAMS_APPROVAL_CONVERSATION": APPROVALS, "TEAMS_ESCALATION_CONVERSATION": "19:senior@thread.tacv2",
            "TEAMS_APPROVER_IDS": TEAMS_APPROVER["id"],
        }
        async with bench_host(BENCH_APP, env, SECRET, concurrency, devhost_arguments) as (host, post):
            print("-- warm-up (not recorded) --")
            baseline = await measure_slack(host, slack, post, 10, 5)
            await measure_teams(host, teams, post, 10, 5, baseline["baseline"])

            results: dict = {}
            # one at a time first: the Slack fake rate-limits chat.postMessage per minute
            for label, clients in (("sequential", 1), ("concurrent", concurrency)):
                count = requests if clients > 1 else 100
                print(f"-- {clients} client(s) --")
                results[label] = await measure_slack(host, slack, post, count, clients)
                results[label].update(await measure_teams(host, teams, post, count, clients,
                                                          results[label]["baseline"]))
                row = results[label]
                for teams_name, slack_name in (("messages", "commands"), ("clicks", "interactions")):
                    ratio = row[teams_name]["p99_ms"] / row[slack_name]["p99_ms"]
                    row[teams_name]["p99_vs_slack_" + slack_name] = round(ratio, 2)
                    print(f"{'':<13} teams {teams_name} p99 = {ratio:.2f}x slack {slack_name} p99")
        return results


def main() -> None:
    args = load_arguments(__doc__)
    print(f"Teams and Slack answer latency on devhost: {args.requests} requests per endpoint, "
          f"{args.concurrency} concurrent clients")
    results = asyncio.run(bench(args.requests, args.concurrency,
                                  ["--single-process"] if args.single_process else []))
    report = {
        "benchmark": "teams_ack", "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(), "machine": platform.machine(),
        "requests_per_endpoint": args.requests, "concurrency": args.concurrency,
        "note": "devhost answers HTTP in one process and runs orchestrations and activities in a background "
                "worker (one process with --single-process); concurrent latency is mostly queueing behind "
                "the other requests on the HTTP process",
        "results": results,
    }
    save_report(RESULTS, report)


if __name__ == "__main__":
    main()
