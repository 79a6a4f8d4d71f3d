"""The Bot Connector misbehaving at random: a share of the calls the activities make (post, update,
open a 1:1 chat) answer 429 (with Retry-After), 500, or never answer. Every approval still ends as
decided; when the connector fails for good, the instance ends Failed with the error, never stuck
Running.

A hang lasts until the connector client gives up; that limit is cut to 1 s here so the run stays
short (the limit itself is not what is under test)."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web

from bot.teams import connector
from testkit.teams_connector import FakeConnector
from testkit.teams_harness import APPROVER, REQUESTER, TeamsHarness, approval_id_in, card_text, teams_devhost
from tests.proof.hub import outcome_actions, statuses
from tests.proof.sizing import scaled, seeded_random
from tests.proof.teams_view import APPROVED, DENIED, EXPIRED, shown_outcome

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

APPROVALS = scaled(40, minimum=6)
FAILURE_SHARE = 0.25  # of the connector calls made by the activities
TERMINAL = ("Completed", "Failed", "Terminated")
ESCALATED = "Escalated"


class RandomFailures:
    """Makes the recording fake fail a random share of calls: 429, 500 or a hang. The bot's answer
    within a turn (a reply to the incoming activity) is left alone: it is not an activity's call."""

    def __init__(self, rng: random.Random, share: float) -> None:
        self.rng, self.share = rng, share
        self.injected: dict[str, int] = {"429": 0, "500": 0, "hang": 0}

    def install(self, fake: FakeConnector) -> None:
        record = fake._record

        async def flaky_record(verb: str, request: web.Request) -> tuple[dict[str, Any], web.Response | None]:
            body, planned = await record(verb, request)
            if planned is not None or verb == "reply" or self.rng.random() >= self.share:
                return body, planned
            kind = self.rng.choices(["429", "500", "hang"], weights=[45, 45, 10])[0]
            self.injected[kind] += 1
            if kind == "429":
                return body, web.json_response({"error": {"code": "TooManyRequests"}}, status=429,
                                                headers={"Retry-After": str(self.rng.choice([0, 1]))})
            if kind == "500":
                return body, web.json_response({"error": {"code": "ServiceError"}}, status=500)
            await asyncio.Event().wait()  # until the client gives up; the server cancels this on shutdown
            return body, None

        fake._record = flaky_record  # type: ignore[method-assign]


async def _drive(teams: TeamsHarness, done: Callable[[], bool], *, step: timedelta = timedelta(seconds=3),
                 steps: int = 200) -> None:
    """Move the virtual clock in small steps (durable retries are 2 s apart) until done()."""
    for _ in range(steps):
        await teams.host.settle()
        if done():
            return
        await teams.host.advance(step)


def _all(teams: TeamsHarness, ids: list[str], predicate: Callable[..., bool]) -> bool:
    rows = statuses(teams.host.db_path)
    return all(iid in rows and predicate(*rows[iid]) for iid in ids)


def _posted_or_failed(runtime: str, output: Any, custom: Any) -> bool:
    custom = custom or {}
    return runtime in TERMINAL or custom.get("messages") is not None or "notificationError" in custom


async def _ask(teams: TeamsHarness, n: int) -> str:
    description = f"Flaky {n}."
    answer = await teams.say(f"expense {100 + n} {description}")
    assert answer.status in (200, 202), answer.text
    [confirmation] = [reply for reply in teams.replies_to(REQUESTER) if description in card_text(reply.card)]
    return approval_id_in(card_text(confirmation.card)).removeprefix("approval-")


def _verdict(teams: TeamsHarness, fates: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """(lost, stuck, wrong): each approval ended once, as decided, and its card and notice say so."""
    lost, stuck, wrong = [], [], []
    rows = statuses(teams.host.db_path)
    acted = outcome_actions(teams.host.db_path)
    notices = [card_text(post.card) for post in teams.replies_to(REQUESTER)]
    for iid, fate in fates.items():
        if iid not in rows:
            lost.append(iid)
            continue
        runtime, output, custom = rows[iid]
        if runtime != "Completed":
            stuck.append(f"{iid}: {runtime} {json.dumps(custom)[:300]}")
            continue
        problems = []
        if output.get("status") != fate:
            problems.append(f"output {output.get('status')}")
        if len(set(acted.get(iid, ()))) != 1:  # a retried outcome activity is scheduled again, unchanged
            problems.append(f"acted on {sorted(set(acted.get(iid, ())))}")
        posted = custom["messages"]["teams"]
        shown, _ = shown_outcome(teams.fake.find(posted["conversationId"], posted["activityId"]).card)
        if shown != (EXPIRED if fate == ESCALATED else fate):
            problems.append(f"card shows {shown}")
        told = [text for text in notices if iid in text and f"was {fate.lower()}" in text]
        if not told:
            problems.append("the requester was not told")
        if problems:
            wrong.append(f"{iid}: expected {fate}; {', '.join(problems)}")
    return lost, stuck, wrong


async def test_every_approval_completes_correctly_while_the_connector_fails_a_quarter_of_its_calls(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connector, "CALL_TIMEOUT_SECONDS", 1)
    rng = seeded_random("flaky teams")
    failures = RandomFailures(random.Random(rng.random()), FAILURE_SHARE)
    async with teams_devhost() as teams:
        failures.install(teams.fake)
        ids = [await _ask(teams, n) for n in range(APPROVALS)]
        await _drive(teams, lambda: _all(teams, ids, _posted_or_failed))
        fates: dict[str, str] = {}
        for iid in ids:
            fate = rng.choice([APPROVED, DENIED, ESCALATED])
            fates[iid] = fate
            if fate == APPROVED:
                answer = await teams.click("approve", {"approvalId": f"approval-{iid}"}, APPROVER)
            elif fate == DENIED:
                answer = await teams.click("denyWithReason", {"approvalId": f"approval-{iid}", "reason": "No"},
                                           APPROVER)
            else:
                continue
            assert answer.status == 200, answer.text
        await _drive(teams, lambda: _all(teams, [i for i in ids if fates[i] != ESCALATED],
                                         lambda runtime, *_: runtime in TERMINAL))
        await teams.host.advance(timedelta(minutes=11))
        await _drive(teams, lambda: _all(teams, ids, lambda runtime, *_: runtime in TERMINAL))
        failures.share = 0.0
        lost, stuck, wrong = _verdict(teams, fates)
        calls = len(teams.fake.calls)
    print(f"{APPROVALS} approvals, injected failures {failures.injected} of {calls} calls: "
          f"lost {len(lost)}, stuck {len(stuck)}, wrong {len(wrong)}")
    assert sum(failures.injected.values()) > 0
    assert not lost, lost[:5]
    assert not stuck, stuck[:5]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("failure", [500, 429])
async def test_a_connector_that_never_recovers_ends_each_instance_failed_never_stuck_running(failure: int) -> None:
    async with teams_devhost() as teams:
        record = teams.fake._record

        async def broken(verb: str, request: web.Request) -> tuple[dict[str, Any], web.Response | None]:
            body, planned = await record(verb, request)
            if verb == "reply":
                return body, planned
            return body, web.json_response({"error": {"code": "ServiceError"}}, status=failure,
                                           headers={"Retry-After": "0"})

        teams.fake._record = broken  # type: ignore[method-assign]
        ids = [await _ask(teams, n) for n in range(3)]
        await _drive(teams, lambda: _all(teams, ids, lambda runtime, *_: runtime in TERMINAL))
        rows = statuses(teams.host.db_path)
    for iid in ids:
        runtime, output, custom = rows[iid]
        assert runtime == "Failed", f"{iid} ended {runtime}"
        assert f"Teams post failed: HTTP {failure}" in json.dumps(output), output
        assert f"Teams post failed: HTTP {failure}" in custom["notificationError"], custom
