"""SIGKILL the host at chosen moments while hundreds of approvals are in every stage.

devhost runs as a child process (`python -m devhost`) on one SQLite file, with Slack's Web API
replaced by the recording fake in this process. A third of the approvals get approved from
Slack, a third denied with a reason, a third are left to time out (timeouts of tens of seconds,
real clock). The kill moments come from the workload's own timeline, and each is checked to have
hit what it was meant to hit:

  1. while requests are being started: some start requests lose their answer to the kill;
  2. while a request message is being posted: Slack has done the post, the host has not seen
     the answer (the fake holds it back), and the store shows the posting activity unfinished;
  3. while decisions are being raised: some clicks and form submissions lose their answer;
  4. at the instant a deadline comes due: the store shows a timer due and its escalation not done;
  5. while an escalation is being posted: the post is done, its answer held, the store shows
     the escalation activity unfinished.

Each time the host is started again on the same file, and requests/clicks whose answer was lost
to the kill are sent again, as people would; any other failure (a 500, a wrong answer, a dropped
connection from a live host) fails the test. Then every instance is checked: exactly one outcome,
the right one, acted on once; the Slack message saying the same; exactly one escalation post for
an escalated request and none otherwise; exactly one notice to the requester; and no request
message left in the channel with live buttons.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from testkit.devhost_process import DevhostProcess
from testkit.slack_api import FakeSlackApi, Hold
from testkit.slack_client import (
    APPROVAL_CHANNEL,
    ESCALATION_CHANNEL,
    TOKEN,
    approve_click,
    deny_with_reason,
    expense_command,
    slack_settings,
)
from tests.proof.hub import outcome_actions, statuses, unfinished_activities
from tests.proof.kills import gather_limited, kill_as_a_deadline_comes_due, kill_during
from tests.proof.sizing import scaled, seeded_random
from tests.proof.slack_view import (
    APPROVED,
    DENIED,
    ESCALATED,
    approval_ids,
    posts_per_approval,
    requester_notices,
    told,
    visible_messages,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

PER_KIND = scaled(80, minimum=5)
LONG_TIMEOUT_S = 900
TIMEOUT_WINDOW_S = (25.0, 50.0)  # the escalating third: deadlines spread over this window
TERMINAL = ("Completed", "Failed", "Terminated")
EXPECTED = {"approve": APPROVED, "deny": DENIED, "escalate": ESCALATED}
HTTP_REQUESTER = "carol@company.com"  # known to the fake Slack, so HTTP requests get a notice too


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


def _held_instance(held: Hold) -> str:
    """The instance whose Slack call is being held (named by the message it posts)."""
    assert held.call is not None and held.arrived.is_set()
    (approval_id,) = approval_ids(_blocks(held.call.args))
    return approval_id.removeprefix("approval-")


def _blocks(args: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _in_channel(channel: str) -> Callable[[dict[str, Any]], bool]:
    return lambda args: args.get("channel") == channel


async def test_sigkill_at_chosen_moments_loses_nothing_and_decides_each_approval_once(tmp_path: Path) -> None:
    rng = seeded_random("crash")
    tally = Tally()
    plans = [Plan(i, kind, via_slack=kind != "escalate" and rng.random() < 0.5,
                  timeout_s=round(rng.uniform(*TIMEOUT_WINDOW_S)) if kind == "escalate" else LONG_TIMEOUT_S)
             for i, kind in enumerate(k for k in ("approve", "deny", "escalate") for _ in range(PER_KIND))]
    rng.shuffle(plans)
    hooks: dict[str, tuple[str, str]] = {}
    db = tmp_path / "hub.sqlite3"

    async with FakeSlackApi(token=TOKEN, users_by_email={HTTP_REQUESTER: "UCAROL"}) as fake, aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=30)
    ) as session:
        host = DevhostProcess(db, slack_settings(fake), tmp_path / "devhost.log")
        await host.start()
        began = time.monotonic()

        def kill(label: str) -> None:
            tally.kills.append(f"{label} ({time.monotonic() - began:.1f}s in)")

        try:
            # --- 1. killed while requests are being started ---------------------------------------
            def starter(plan: Plan) -> Callable[[], Awaitable[None]]:
                async def start() -> None:
                    if plan.via_slack:
                        plan.instance_id = await expense_command(
                            session, host.origin, f"{100 + plan.number} Crash test {plan.number}",
                            fake.response_url(f"start-{plan.number}"))
                        return
                    body = {"amount": 100 + plan.number, "requester": HTTP_REQUESTER,
                            "description": f"Crash test {plan.number}", "timeout_seconds": plan.timeout_s}
                    async with session.post(f"{host.origin}/api/human_interaction", json=body) as response:
                        assert response.status == 202, await response.text()
                        plan.instance_id = (await response.json())["id"]
                return start

            cut = await kill_during(host, [starter(p) for p in plans], asyncio.Event(),
                                     kill_after=rng.randint(len(plans) // 4, len(plans) * 3 // 4))
            kill(f"while starting: {cut} starts in flight lost their answer")
            assert cut, "no start request was in flight at the kill"

            # --- 2. killed while a request message is being posted ------------------------------
            unstarted = [p for p in plans if p.instance_id is None]
            tally.resent_starts = len(unstarted)
            waiting_for_post = len(_instance_ids(db)) - len(posts_per_approval(fake, APPROVAL_CHANNEL))
            held = fake.hold("chat.postMessage", where=_in_channel(APPROVAL_CHANNEL),
                             after=rng.randrange(max(1, waiting_for_post + len(unstarted))))
            await host.start()
            await kill_during(host, [starter(p) for p in unstarted], held.arrived)
            held.release()
            posting = _held_instance(held)
            assert posting in unfinished_activities(db, "send_approval_request"), (
                "the kill did not land while the request was being posted")
            kill(f"while posting a request: {len(posts_per_approval(fake, APPROVAL_CHANNEL))} requests posted")
            await host.start()
            await gather_limited([starter(p) for p in plans if p.instance_id is None])

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
            def decider(plan: Plan) -> Callable[[], Awaitable[None]]:
                async def decide() -> None:
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
                return decide

            deciding = [p for p in plans if p.kind != "escalate"]
            cut = await kill_during(host, [decider(p) for p in deciding], asyncio.Event(),
                                     kill_after=rng.randint(len(deciding) // 5, len(deciding) * 4 // 5))
            kill(f"while deciding: {cut} decisions in flight lost their answer")
            assert cut, "no decision was in flight at the kill"
            await host.start()
            undecided = [p for p in deciding if not p.decided]
            tally.resent_decisions = len(undecided)
            await gather_limited([decider(p) for p in undecided])

            # --- 4. killed at the instant a deadline comes due ------------------------------------
            escalating = {f"approval-{p.instance_id}" for p in plans if p.kind == "escalate"}
            owed = await kill_as_a_deadline_comes_due(host, db, rng, 2 * TIMEOUT_WINDOW_S[1])
            kill(f"as a deadline came due: {len(owed)} deadlines due and not yet escalated")
            assert owed, "no deadline was due at the kill"
            await host.start()

            # --- 5. killed while an escalation is being posted ------------------------------------
            remaining = len(escalating - set(posts_per_approval(fake, ESCALATION_CHANNEL)))
            assert remaining, "every escalation was done before the escalation kill"
            held = fake.hold("chat.postMessage", where=_in_channel(ESCALATION_CHANNEL),
                             after=rng.randrange(max(1, remaining // 2)))
            await asyncio.wait_for(held.arrived.wait(), 2 * TIMEOUT_WINDOW_S[1])
            await host.kill()
            held.release()
            assert _held_instance(held) in unfinished_activities(db, "escalate_approval"), (
                "the kill did not land while the escalation was being posted")
            kill("while posting an escalation")
            await host.start()

            # --- the verdict -----------------------------------------------------------------------
            try:
                rows = await host.wait_for_all(session, lambda rs: all(r["runtimeStatus"] in TERMINAL for r in rs),
                                               timeout=60)
            except TimeoutError:
                rows = await host.instances(session)
        finally:
            await host.stop()

        report = _verdict(plans, rows, fake, hooks, db)
    print(f"approvals {len(plans)} ({PER_KIND} per kind), kills: {'; '.join(tally.kills)}")
    print(f"resent starts {tally.resent_starts}, phantom starts {tally.phantoms}, "
          f"resent decisions {tally.resent_decisions}")
    print(", ".join(f"{name.replace('_', ' ')} {len(found)}" for name, found in report.items()))
    assert len(tally.kills) == 5
    failures = {name: found[:5] for name, found in report.items() if found}
    assert not failures, failures


def _instance_ids(db: Path) -> set[str]:
    return set(statuses(db))


def _past_sending(row: dict[str, Any]) -> bool:
    if row["runtimeStatus"] in TERMINAL:
        return True
    custom = row.get("customStatus") or {}
    return custom.get("stage") not in (None, "sending_request") and custom.get("message") is not None


def _verdict(plans: list[Plan], rows: list[dict], fake: FakeSlackApi, hooks: dict[str, tuple[str, str]],
             db: Path) -> dict[str, list[str]]:
    by_id = {r["instanceId"]: r for r in rows}
    acted = outcome_actions(db)
    visible = visible_messages(fake, hooks)
    requests_posted = posts_per_approval(fake, APPROVAL_CHANNEL)
    escalations = posts_per_approval(fake, ESCALATION_CHANNEL)
    notices = requester_notices(fake)

    report: dict[str, list[str]] = {"lost": [], "stuck": [], "wrong": [], "duplicate_requests": [],
                                    "escalation_posts_not_one_per_escalation": [],
                                    "requester_notices_not_one_per_outcome": [], "live_buttons_left": []}
    # A request message posted twice (the posting activity re-ran after a kill) must not leave a
    # copy with buttons nobody will ever update.
    for message in fake.messages_in(APPROVAL_CHANNEL):
        shown = visible[(message.channel, message.ts)]
        if shown.has_buttons:
            report["live_buttons_left"].append(f"{message.ts}: {', '.join(approval_ids(message.blocks))}")
    for plan in plans:
        iid, expected = plan.instance_id, EXPECTED[plan.kind]
        approval_id = f"approval-{iid}"
        row = by_id.get(iid or "")
        if row is None or not requests_posted[approval_id]:
            report["lost"].append(f"{plan.kind} #{plan.number} {iid}: instance or request message missing")
            continue
        if row["runtimeStatus"] != "Completed":
            report["stuck"].append(f"{plan.kind} {iid}: {row['runtimeStatus']} {row.get('customStatus')}; "
                                   f"decider told {plan.told}")
            continue
        problems = []
        if (row["output"] or {}).get("status") != expected:
            problems.append(f"output {(row['output'] or {}).get('status')}")
        if len(acted.get(iid, [])) != 1:  # nothing fails in this test, so nothing is retried
            problems.append(f"outcome activities scheduled {acted.get(iid, [])}")
        message = (row["customStatus"] or {}).get("message") or {}
        shown = visible.get((message.get("channel"), message.get("ts")))
        if shown is None or shown.outcome != expected or shown.has_buttons:
            problems.append(f"message shows {shown.outcome if shown else None}")
        if problems:
            report["wrong"].append(f"{plan.kind} {iid}: expected {expected}; " + ", ".join(problems))
        if requests_posted[approval_id] > 1:
            report["duplicate_requests"].append(f"{iid}: {requests_posted[approval_id]} request messages")
        if escalations[approval_id] != (1 if expected == ESCALATED else 0):
            report["escalation_posts_not_one_per_escalation"].append(
                f"{plan.kind} {iid}: {escalations[approval_id]} escalation posts")
        if notices[approval_id] != 1:
            report["requester_notices_not_one_per_outcome"].append(
                f"{plan.kind} {iid}: {notices[approval_id]} requester notices")
    return report
