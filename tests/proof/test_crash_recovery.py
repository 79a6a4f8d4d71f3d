"""SIGKILL the host at random moments while hundreds of approvals are in every stage.

devhost runs as a child process (`python -m devhost`) on one SQLite file, with Slack's Web API
replaced by the recording fake in this process. A third of the approvals get approved from
Slack, a third denied with a reason, a third are left to time out (timeouts of tens of seconds,
real clock). The host is killed while requests are being started, while request messages are
being posted, while decisions are being raised, and twice while deadlines come due; each time it is
started again on the same file, and requests/clicks that got no answer are sent again, as people
would. Then every instance is checked: exactly one outcome, the right one, and the Slack message
saying the same; and no request message is left in the channel with live buttons.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from testkit.blockkit import all_text
from testkit.slack_api import FakeSlackApi
from testkit.devhost_process import DevhostProcess
from tests.proof.hub import outcome_actions
from tests.proof.sizing import scaled, seeded_random
from testkit.slack_client import (
    APPROVAL_CHANNEL,
    ESCALATION_CHANNEL,
    TOKEN,
    approve_click,
    deny_with_reason,
    expense_command,
    slack_settings,
)
from tests.proof.slack_view import APPROVED, DENIED, ESCALATED, told, visible_messages

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

PER_KIND = scaled(80, minimum=5)
CONCURRENCY = 24
LONG_TIMEOUT_S = 900
TIMEOUT_WINDOW_S = (25.0, 50.0)  # the escalating third: deadlines spread over this window
TERMINAL = ("Completed", "Failed", "Terminated")
EXPECTED = {"approve": APPROVED, "deny": DENIED, "escalate": ESCALATED}


@dataclass
class Plan:
    number: int
    kind: str  # approve | deny | escalate
    via_slack: bool
    timeout_s: int
    instance_id: str | None = None
    decided: bool = False  # the decision got an answer from the host
    told: list[str] = field(default_factory=list)  # what the decider was told, attempt by attempt


@dataclass
class Tally:
    kills: list[str] = field(default_factory=list)
    resent_starts: int = 0
    resent_decisions: int = 0
    phantoms: int = 0


async def _run_until_killed(host: DevhostProcess, jobs: list[Callable[[], Awaitable[bool]]],
                            kill_after: int, label: str, tally: Tally) -> None:
    """Run jobs CONCURRENCY at a time; SIGKILL the host once ``kill_after`` of them succeeded."""
    done = 0
    enough = asyncio.Event()
    queue = iter(jobs)

    async def worker() -> None:
        nonlocal done
        for job in queue:
            if enough.is_set():
                return
            try:
                ok = await job()
            except (aiohttp.ClientError, asyncio.TimeoutError, AssertionError):
                ok = False
            if ok:
                done += 1
                if done >= kill_after:
                    enough.set()

    workers = [asyncio.create_task(worker()) for _ in range(CONCURRENCY)]
    finished = asyncio.ensure_future(asyncio.gather(*workers))
    await asyncio.wait([finished, asyncio.ensure_future(enough.wait())], return_when=asyncio.FIRST_COMPLETED)
    await host.kill()
    tally.kills.append(f"{label} after {done}/{len(jobs)} answered")
    await asyncio.gather(*workers, return_exceptions=True)


async def _kill_at(host: DevhostProcess, when: float, label: str, tally: Tally) -> None:
    await asyncio.sleep(max(0.0, when - time.monotonic()))  # a moment on the real clock, on purpose
    await host.kill()
    tally.kills.append(label)


async def test_sigkill_at_random_moments_loses_nothing_and_decides_each_approval_once(tmp_path: Path) -> None:
    rng = seeded_random("crash")
    tally = Tally()
    plans = [Plan(i, kind, via_slack=kind != "escalate" and rng.random() < 0.5,
                  timeout_s=round(rng.uniform(*TIMEOUT_WINDOW_S)) if kind == "escalate" else LONG_TIMEOUT_S)
             for i, kind in enumerate(k for k in ("approve", "deny", "escalate") for _ in range(PER_KIND))]
    rng.shuffle(plans)
    hooks: dict[str, tuple[str, str]] = {}

    async with FakeSlackApi(token=TOKEN) as fake, aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=30)
    ) as session:
        host = DevhostProcess(tmp_path / "hub.sqlite3", slack_settings(fake), tmp_path / "devhost.log")
        await host.start()
        began = time.monotonic()
        try:
            # --- 1. killed while requests are being started ---------------------------------------
            def starter(plan: Plan) -> Callable[[], Awaitable[bool]]:
                async def start() -> bool:
                    if plan.via_slack:
                        plan.instance_id = await expense_command(
                            session, host.origin, f"{100 + plan.number} Crash test {plan.number}",
                            fake.response_url(f"start-{plan.number}"))
                        return True
                    body = {"amount": 100 + plan.number, "requester": "carol@company.com",
                            "description": f"Crash test {plan.number}", "timeout_seconds": plan.timeout_s}
                    async with session.post(f"{host.origin}/api/human_interaction", json=body) as response:
                        assert response.status == 202, await response.text()
                        plan.instance_id = (await response.json())["id"]
                    return True
                return start

            await _run_until_killed(host, [starter(p) for p in plans], rng.randint(len(plans) // 4, len(plans) * 3 // 4),
                                    "while starting", tally)
            await host.start()
            unstarted = [p for p in plans if p.instance_id is None]
            tally.resent_starts = len(unstarted)
            await _gather_limited([starter(p) for p in unstarted])

            # --- 2. killed while request messages are being posted --------------------------------
            posted_now = len(fake.succeeded("chat.postMessage"))
            target = rng.randint(posted_now, max(posted_now, len(plans)))
            try:
                await fake.wait_for(lambda f: len(f.succeeded("chat.postMessage")) >= target, timeout=60)
            finally:
                await host.kill()
            tally.kills.append(f"while posting, after {len(fake.succeeded('chat.postMessage'))} posts")
            await host.start()

            # Everything known (and anything started by a request that never got its answer) posted.
            rows = await host.wait_for_all(session, lambda rs: all(_past_sending(r) for r in rs), timeout=120)
            known = {p.instance_id for p in plans}
            phantoms = [r for r in rows if r["instanceId"] not in known]
            tally.phantoms = len(phantoms)
            for row in phantoms:
                given = row["input"] if isinstance(row["input"], dict) else json.loads(row["input"])
                timeout_s = given.get("timeoutSeconds", LONG_TIMEOUT_S)
                plans.append(Plan(len(plans), "escalate" if timeout_s <= TIMEOUT_WINDOW_S[1] else "approve",
                                  via_slack=False, timeout_s=timeout_s, instance_id=row["instanceId"]))
            message_of = {r["instanceId"]: (r["customStatus"] or {}).get("message") for r in rows}

            # --- 3. killed while decisions are being raised ---------------------------------------
            def decider(plan: Plan) -> Callable[[], Awaitable[bool]]:
                async def decide() -> bool:
                    message = message_of[plan.instance_id]
                    approval_id = f"approval-{plan.instance_id}"
                    if plan.kind == "approve":
                        hook = fake.response_url(f"click-{plan.number}-{rng.random():.9f}")
                        hooks[hook.removeprefix(fake.base_url)] = (message["channel"], message["ts"])
                        reply = await approve_click(session, host.origin, approval_id, message, hook)
                        answers = told(fake, hook.removeprefix(fake.base_url))
                        plan.told.append(f"{reply.status} " + " | ".join(str(a.get("text"))[:80] for a in answers))
                    else:
                        reply = await deny_with_reason(session, host.origin, approval_id, message,
                                                       f"Not in budget ({plan.number})")
                        plan.told.append(f"{reply.status} {reply.text[:200]!r}")
                    assert reply.status == 200, reply
                    plan.decided = True
                    return True
                return decide

            deciding = [p for p in plans if p.kind != "escalate"]
            await _run_until_killed(host, [decider(p) for p in deciding],
                                    rng.randint(len(deciding) // 5, len(deciding) * 4 // 5), "while deciding", tally)
            await host.start()
            undecided = [p for p in deciding if not p.decided]
            tally.resent_decisions = len(undecided)
            await _gather_limited([decider(p) for p in undecided])

            # --- 4. killed twice while deadlines come due -----------------------------------------
            last_deadline = began + TIMEOUT_WINDOW_S[1]
            for round_ in range(2):
                moment = rng.uniform(time.monotonic(), max(time.monotonic(), last_deadline))
                await _kill_at(host, moment, f"while deadlines come due ({moment - began:.1f}s in)", tally)
                await host.start()

            # --- the verdict -----------------------------------------------------------------------
            try:
                rows = await host.wait_for_all(session, lambda rs: all(r["runtimeStatus"] in TERMINAL for r in rs),
                                               timeout=60)
            except TimeoutError:
                rows = await host.instances(session)
        finally:
            await host.stop()

        report = _verdict(plans, rows, fake, hooks, tmp_path / "hub.sqlite3")
    print(f"approvals {len(plans)} ({PER_KIND} per kind), kills: {'; '.join(tally.kills)}")
    print(f"resent starts {tally.resent_starts}, phantom starts {tally.phantoms}, "
          f"resent decisions {tally.resent_decisions}")
    print("lost {lost}, stuck {stuck}, wrong {wrong}; duplicate request messages {duplicate_requests}, "
          "duplicate escalation posts {duplicate_escalations}, "
          "request messages still showing buttons after every outcome {live_buttons_left}".format(**{k: len(v) for k, v in report.items()}))
    assert len(tally.kills) >= 5
    for name in ("lost", "stuck", "wrong", "duplicate_requests", "live_buttons_left"):
        assert not report[name], f"{name}: {report[name][:5]}"


def _past_sending(row: dict[str, Any]) -> bool:
    if row["runtimeStatus"] in TERMINAL:
        return True
    custom = row.get("customStatus") or {}
    return custom.get("stage") not in (None, "sending_request") and custom.get("message") is not None


async def _gather_limited(jobs: list[Callable[[], Awaitable[bool]]]) -> None:
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(job: Callable[[], Awaitable[bool]]) -> None:
        async with limit:
            await job()

    await asyncio.gather(*(one(job) for job in jobs))


def _verdict(plans: list[Plan], rows: list[dict], fake: FakeSlackApi, hooks: dict[str, tuple[str, str]],
             db: Path) -> dict[str, list[str]]:
    by_id = {r["instanceId"]: r for r in rows}
    acted = outcome_actions(db)
    visible = visible_messages(fake, hooks)
    requests_posted: dict[str, int] = {}
    for message in fake.messages_in(APPROVAL_CHANNEL):
        for approval_id in set(_approval_ids(message.blocks)):
            requests_posted[approval_id] = requests_posted.get(approval_id, 0) + 1
    escalations: dict[str, int] = {}
    for message in fake.messages_in(ESCALATION_CHANNEL):
        for approval_id in set(_approval_ids(message.blocks)):
            escalations[approval_id] = escalations.get(approval_id, 0) + 1

    report: dict[str, list[str]] = {"lost": [], "stuck": [], "wrong": [], "duplicate_requests": [],
                                    "duplicate_escalations": [], "live_buttons_left": []}
    # A request message posted twice (the posting activity re-ran after a kill) must not leave a
    # copy with buttons nobody will ever update.
    for message in fake.messages_in(APPROVAL_CHANNEL):
        shown = visible[(message.channel, message.ts)]
        if shown.has_buttons:
            report["live_buttons_left"].append(f"{message.ts}: {', '.join(set(_approval_ids(message.blocks)))}")
    for plan in plans:
        iid, expected = plan.instance_id, EXPECTED[plan.kind]
        approval_id = f"approval-{iid}"
        row = by_id.get(iid or "")
        if row is None or not requests_posted.get(approval_id):
            report["lost"].append(f"{plan.kind} #{plan.number} {iid}: instance or request message missing")
            continue
        if row["runtimeStatus"] != "Completed":
            report["stuck"].append(f"{plan.kind} {iid}: {row['runtimeStatus']} {row.get('customStatus')}; "
                                   f"decider told {plan.told}")
            continue
        problems = []
        if (row["output"] or {}).get("status") != expected:
            problems.append(f"output {(row['output'] or {}).get('status')}")
        if len(acted.get(iid, ())) != 1:
            problems.append(f"acted on {len(acted.get(iid, ()))} outcomes")
        message = (row["customStatus"] or {}).get("message") or {}
        shown = visible.get((message.get("channel"), message.get("ts")))
        if shown is None or shown.outcome != expected or shown.has_buttons:
            problems.append(f"message shows {shown.outcome if shown else None}")
        if (escalations.get(approval_id, 0) > 0) != (expected == ESCALATED):
            problems.append(f"{escalations.get(approval_id, 0)} escalation posts")
        if problems:
            report["wrong"].append(f"{plan.kind} {iid}: expected {expected}; " + ", ".join(problems))
        if requests_posted[approval_id] > 1:
            report["duplicate_requests"].append(f"{iid}: {requests_posted[approval_id]} request messages")
        if escalations.get(approval_id, 0) > 1:
            report["duplicate_escalations"].append(f"{iid}: {escalations[approval_id]} escalation posts")
    return report


def _approval_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return re.findall(r"approval-[0-9a-f]{32}", all_text(blocks))
