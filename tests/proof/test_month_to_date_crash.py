"""SIGKILL the host while Approved amounts are being added to the requesters' months: afterwards
every requester's month holds exactly the sum of their Approved amounts (no approval counted
twice, none lost) and exactly the approval ids that were Approved.

devhost runs as a child process on one SQLite file, Slack replaced by the recording fake. Many
requests from a few requesters (typed names over the HTTP API) are approved or denied over the
HTTP API. The kill moments come from the workload, and each is checked to have hit its mark:

  1. while a decision is being told to Slack: the outcome is fixed and its signal to the month
     sent in the same episode, the chat.update has been done, its answer held, and the store shows
     the notifying activity unfinished (it runs again, and the orchestration replays, on start);
  2. while decisions are being raised and the months are catching up: the store shows operations
     queued for `monthly_spend` entities that were not yet applied.

After each kill the host starts again on the same file and decisions whose answer was lost are
sent again, as people would (a repeat of a decided request changes nothing).
"""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
import time
from collections.abc import Awaitable, Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from testkit.devhost_process import DevhostProcess
from testkit.slack_api import FakeSlackApi
from testkit.slack_client import APPROVAL_CHANNEL, TOKEN, slack_settings
from tests.proof.hub import unfinished_activities
from tests.proof.kills import gather_limited, kill_during
from tests.proof.sizing import scaled, seeded_random
from tests.proof.slack_view import approval_ids

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

REQUESTS = scaled(90, minimum=9)
REQUESTERS = ["Ann Lee", "Bo Chen", "Cy Diaz", "Di Evans", "Ed Fox"]
TERMINAL = ("Completed", "Failed", "Terminated")
QUEUED_FOR_MONTHS = "SELECT COUNT(*) FROM entity_requests WHERE entity_id LIKE '@monthly_spend@%'"


@dataclass
class Plan:
    number: int
    requester: str
    amount: float
    approve: bool
    instance_id: str = ""
    decided: bool = False


def queued_for_months(db: Path) -> int:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as reading:
        return reading.execute(QUEUED_FOR_MONTHS).fetchone()[0]


async def test_sigkill_while_months_are_added_to_counts_each_approved_amount_exactly_once(tmp_path: Path) -> None:
    rng = seeded_random("month-to-date")
    plans = [Plan(i, rng.choice(REQUESTERS), round(rng.uniform(1, 900), 2), rng.random() < 0.7)
             for i in range(REQUESTS)]
    db = tmp_path / "hub.sqlite3"
    kills: list[str] = []

    async with FakeSlackApi(token=TOKEN) as fake, aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=30)
    ) as session:
        host = DevhostProcess(db, slack_settings(fake), tmp_path / "devhost.log")
        await host.start()

        def decider(plan: Plan) -> Callable[[], Awaitable[None]]:
            async def decide() -> None:
                body = {"approved": plan.approve, "approver": "finance", "comments": f"#{plan.number}"}
                async with session.post(f"{host.origin}/api/approve/approval-{plan.instance_id}", json=body) as reply:
                    # 409: decided already (a repeat of a decision whose answer the kill took)
                    assert reply.status in (202, 409), await reply.text()
                plan.decided = True
            return decide

        try:
            def starter(plan: Plan) -> Callable[[], Awaitable[None]]:
                async def start() -> None:
                    body = {"amount": plan.amount, "requester": plan.requester, "description": f"Month {plan.number}",
                            "timeout_seconds": 3600}
                    async with session.post(f"{host.origin}/api/human_interaction", json=body) as reply:
                        assert reply.status == 202, await reply.text()
                        plan.instance_id = (await reply.json())["id"]
                return start

            await gather_limited([starter(p) for p in plans])
            await host.wait_for_all(session, lambda rows: len(rows) == len(plans) and all(
                (r["customStatus"] or {}).get("stage") == "waiting_for_approval" for r in rows), timeout=120)

            # --- 1. killed while an approval is being told to Slack -------------------------------
            approvals = [p for p in plans if p.approve]
            held = fake.hold("chat.update", where=lambda args: args.get("channel") == APPROVAL_CHANNEL,
                             after=rng.randrange(max(1, len(approvals) // 2)))
            await kill_during(host, [decider(p) for p in plans], held.arrived)
            held.release()
            assert held.call is not None
            (telling,) = approval_ids(_blocks(held.call.args))
            assert telling.removeprefix("approval-") in unfinished_activities(db, "process_approval"), (
                "the kill did not land while a decision was being told")
            kills.append(f"while telling {telling}: {sum(p.decided for p in plans)} decisions answered")

            # --- 2. killed while the months have operations queued --------------------------------
            await host.start()
            queued_at_kill = 0
            undecided = [p for p in plans if not p.decided]
            for part in range(3):  # the queue drains in milliseconds: a third of the rest at a time
                seen = asyncio.Event()
                watcher = asyncio.ensure_future(_watch_months(db, seen))
                try:
                    await kill_during(host, [decider(p) for p in undecided[part::3]], seen, timeout=5)
                except TimeoutError:  # every decision answered before an operation was seen queued
                    await host.kill()
                watcher.cancel()
                queued_at_kill = queued_for_months(db)
                await host.start()
                if queued_at_kill:
                    break
            kills.append(f"with {queued_at_kill} operations queued for the months")
            assert queued_at_kill, "no kill landed while the months had operations queued"

            await gather_limited([decider(p) for p in plans if not p.decided])
            rows = await host.wait_for_all(session, lambda rs: all(r["runtimeStatus"] in TERMINAL for r in rs),
                                           timeout=120)
            await _months_caught_up(host, session)
            months = await _months(host, session)
        finally:
            await host.stop()

    outputs = {r["instanceId"]: r["output"] for r in rows}
    assert all(r["runtimeStatus"] == "Completed" for r in rows), [r for r in rows if r["runtimeStatus"] != "Completed"]
    expected: dict[str, dict[str, float]] = {}
    for plan in plans:
        output = outputs[plan.instance_id]
        assert output["status"] == ("Approved" if plan.approve else "Denied"), output
        if plan.approve:
            key = _key(plan.requester, output["decidedAt"])
            expected.setdefault(key, {})[f"approval-{plan.instance_id}"] = plan.amount
    print(f"requests {len(plans)} by {len(REQUESTERS)} requesters, kills: {'; '.join(kills)}")
    assert set(months) == set(expected)
    for key, approved in expected.items():
        assert months[key]["approvals"] == approved, key
        assert months[key]["total"] == math.fsum(approved.values()), key


async def _watch_months(db: Path, seen: asyncio.Event) -> None:
    """Set `seen` once the store holds operations for the months not yet applied."""
    while not queued_for_months(db):
        await asyncio.sleep(0.002)  # another process: nothing to await but its store
    seen.set()


def _blocks(args: dict) -> list[dict]:
    blocks = args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _key(requester: str, decided_at: str) -> str:
    return f"name:{'_20_'.join(requester.casefold().split())}:{decided_at[:7]}"


async def _months_caught_up(host: DevhostProcess, session: aiohttp.ClientSession) -> None:
    deadline = time.monotonic() + 60
    while True:
        async with session.get(f"{host.origin}/_devhost/api/entities") as reply:
            entities = (await reply.json())["entities"]
        if entities and all(e["queued"] == 0 for e in entities):
            return
        assert time.monotonic() < deadline, entities
        await asyncio.sleep(0.05)  # another process: nothing to await but its HTTP answers


async def _months(host: DevhostProcess, session: aiohttp.ClientSession) -> dict[str, dict]:
    async with session.get(f"{host.management}/entities/monthly_spend", params={"fetchState": "true"}) as reply:
        assert reply.status == 200, await reply.text()
        listed = await reply.json()
    return {e["entityId"]["key"]: e["state"] for e in listed}
