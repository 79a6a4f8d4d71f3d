"""SIGKILL the host at chosen moments while hundreds of Teams approvals are in every stage.

devhost runs as a child process (`python -m devhost`) on one SQLite file, with Teams' Bot
Connector played by the recording fake in this process. Requests are asked for in the requester's
1:1 chat (`expense 120 …`) or over the HTTP API, posted to the approvers' channel, approved or
denied by clicks on the card, or left to time out and be escalated to senior management (real
clock, deadlines tens of seconds out). The kill moments come from the workload's own timeline, and
each is checked to have hit what it was meant to hit:

  1. while requests are being started: some start requests lose their answer to the kill;
  2. while a request card is being posted: Teams has done the post, the host has not seen the
     answer (the fake holds it back), and the store shows the posting activity unfinished;
  3. while decisions are being clicked: some clicks lose their answer;
  4. at the instant a deadline comes due: the store shows a timer due and its escalation not done;
  5. while an escalation is being posted: the post is done, its answer held, the store shows the
     escalation activity unfinished.

Each time the host is started again on the same file; a request whose confirmation never reached
the requester's chat, and a click whose answer was lost, are sent again, as people would. Any
other failure (a 500, a wrong answer, a dropped connection from a live host) fails the test.

Teams gives a bot no way to find an earlier post (no idempotency key, no history in the Bot
Connector), so a post Teams accepted in an activity run that a kill cut short is made again by the
re-run. The test knows exactly which posts those are (the dead run's posts, the activities the
store shows unfinished after the kill) and holds the app to exactly that: each approval has one
request card, one escalation post if escalated, one requester notice if the requester is in
Teams, plus one more of a kind for each kill that cut its activity short after that post, never
any other. A second request card must be harmless: where an approval has one, the decision is
clicked on it; at the end an approver looks at every such card (Teams refreshes it, as the card
asks) and every card in the channel shows the outcome without buttons.
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
from testkit.teams_client import (
    APPROVALS,
    APPROVER,
    ESCALATIONS,
    OTHER_APPROVER,
    REQUESTER,
    TeamsClient,
    approval_id_in,
    card_text,
)
from testkit.teams_connector import FakeConnector, Hold, Posted
from tests.proof.hub import outcome_actions, statuses, unfinished_activities
from tests.proof.kills import gather_limited, kill_as_a_deadline_comes_due, kill_during
from tests.proof.sizing import scaled, seeded_random
from tests.proof.teams_view import APPROVED, DENIED, EXPIRED, OPEN, approval_of, posts_by_approval, shown_outcome

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

PER_KIND = scaled(50, minimum=5)
LONG_TIMEOUT_S = 900
TIMEOUT_WINDOW_S = (25.0, 50.0)  # the escalating third: deadlines spread over this window
TERMINAL = ("Completed", "Failed", "Terminated")
ESCALATED = "Escalated"
EXPECTED = {"approve": APPROVED, "deny": DENIED, "escalate": ESCALATED}
DECIDER = {"approve": APPROVER, "deny": OTHER_APPROVER}
HTTP_REQUESTER = "Dana from Finance"  # a name only: no Teams account, so no notice

SEND, RECORD, ESCALATE = "send_approval_request", "process_approval", "escalate_approval"


@dataclass
class Plan:
    number: int
    kind: str  # approve | deny | escalate
    via_teams: bool  # asked in the requester's 1:1 chat (else over the HTTP API)
    timeout_s: int
    instance_id: str | None = None
    decided: bool = False  # the click got an answer from the host
    on_copy: bool = False  # decided on a second request card
    told: list[tuple[str, str | None]] = field(default_factory=list)  # what the clicker's card showed

    @property
    def description(self) -> str:
        return f"Crash test {self.number}."

    @property
    def approval_id(self) -> str:
        return f"approval-{self.instance_id}"


@dataclass
class Run:
    """One life of the host process, ended by a kill: the posts it made (indexes into the fake's
    record, the ones that reached Teams as it died included) and what the kill left unfinished."""

    first_post: int
    unfinished: dict[str, set[str]]
    end_post: int = -1


@dataclass
class Tally:
    kills: list[str] = field(default_factory=list)
    resent_starts: int = 0
    adopted_starts: int = 0
    resent_decisions: int = 0
    phantoms: int = 0
    copies_looked_at: int = 0
    open_copies: int = 0  # second cards with buttons until an approver looked at them


class Crashes:
    """Starts and kills the host, keeping the Run record the verdict needs."""

    def __init__(self, host: DevhostProcess, fake: FakeConnector, db: Path) -> None:
        self.host, self.fake, self.db = host, fake, db
        self.runs: list[Run] = []
        self._first_post = 0
        self._began = time.monotonic()
        self.labels: list[str] = []

    async def start(self) -> None:
        if self.runs and self.runs[-1].end_post < 0:
            self.runs[-1].end_post = len(self.fake.posted)  # nothing posts while no host runs
        await self.host.start()
        self._first_post = len(self.fake.posted)

    def killed(self, label: str) -> None:
        """Record a kill that just happened (the host is dead)."""
        unfinished = {name: unfinished_activities(self.db, name) for name in (SEND, RECORD, ESCALATE)}
        self.runs.append(Run(self._first_post, unfinished))
        self.labels.append(f"{label} ({time.monotonic() - self._began:.1f}s in)")

    def exposures(self, activity: str, instance_id: str, posts: list[Posted]) -> int:
        """How many kills cut `activity` of the instance short after it had made one of `posts`:
        each makes its re-run post once more."""
        return sum(self._cut_short(run, activity, instance_id, posts) for run in self.runs)

    def _cut_short(self, run: Run, activity: str, instance_id: str, posts: list[Posted]) -> bool:
        index = {id(post): i for i, post in enumerate(self.fake.posted)}
        return instance_id in run.unfinished[activity] and any(
            run.first_post <= index[id(post)] < run.end_post for post in posts)

    def repeated_by_kill(self) -> list[int]:
        """For each kill, how many posts it cut short (request cards, escalations, notices)."""
        kinds = ((APPROVALS, SEND), (ESCALATIONS, ESCALATE),
                 (self.fake.personal_chat_of(REQUESTER["id"]), RECORD),
                 (self.fake.personal_chat_of(REQUESTER["id"]), ESCALATE))
        found = [(conversation, activity, approval.removeprefix("approval-"), posts)
                 for conversation, activity in kinds
                 for approval, posts in posts_by_approval(self.fake, conversation).items()]
        return [sum(self._cut_short(run, activity, iid, posts) for _, activity, iid, posts in found)
                for run in self.runs]


def _held_instance(held: Hold) -> str:
    assert held.post is not None and held.arrived.is_set()
    approval = approval_of(held.post)
    assert approval is not None
    return approval.removeprefix("approval-")


def _confirmation(fake: FakeConnector, plan: Plan) -> str | None:
    """The instance the requester's chat confirmed for this request (the last, if asked twice)."""
    chat = fake.personal_chat_of(REQUESTER["id"])
    found = [approval_id_in(card_text(post.card)) for post in fake.in_conversation(chat)
             if post.verb == "reply" and plan.description in card_text(post.card)]
    return found[-1].removeprefix("approval-") if found else None


def _recorded_card(fake: FakeConnector, row: dict[str, Any]) -> Posted | None:
    reference = ((row.get("customStatus") or {}).get("messages") or {}).get("teams")
    if not isinstance(reference, dict):
        return None
    matches = [post for post in fake.in_conversation(reference["conversationId"])
               if post.activity_id == reference["activityId"]]
    return matches[0] if matches else None


def _past_sending(row: dict[str, Any]) -> bool:
    if row["runtimeStatus"] in TERMINAL:
        return True
    custom = row.get("customStatus") or {}
    return custom.get("stage") not in (None, "sending_request") and bool((custom.get("messages") or {}).get("teams"))


def _truthful(told: tuple[str, str | None], outcome: str, winner: str | None) -> bool:
    """A card that names a decision names the recorded one; an open card ("sent") claims nothing."""
    return told[0] == OPEN or told == (outcome, winner)


async def test_sigkill_at_chosen_moments_loses_nothing_and_repeats_only_the_posts_it_cut_short(
        tmp_path: Path) -> None:
    rng = seeded_random("teams crash")
    tally = Tally()
    plans = [Plan(i, kind, via_teams=kind != "escalate" and rng.random() < 0.7,
                  timeout_s=round(rng.uniform(*TIMEOUT_WINDOW_S)) if kind == "escalate" else LONG_TIMEOUT_S)
             for i, kind in enumerate(k for k in ("approve", "deny", "escalate") for _ in range(PER_KIND))]
    rng.shuffle(plans)
    db = tmp_path / "hub.sqlite3"

    async with FakeConnector() as fake, aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        settings = {
            "TEAMS_ENABLED": "true", "TEAMS_SERVICE_URL": fake.service_url,
            "TEAMS_APPROVAL_CONVERSATION": APPROVALS, "TEAMS_ESCALATION_CONVERSATION": ESCALATIONS,
            "TEAMS_APPROVER_IDS": f"{APPROVER['id']},{OTHER_APPROVER['id']}", "SLACK_BOT_TOKEN": "",
        }
        host = DevhostProcess(db, settings, tmp_path / "devhost.log")
        teams = TeamsClient(lambda: host.origin, fake, session)
        crashes = Crashes(host, fake, db)
        await crashes.start()

        try:
            # --- 1. killed while requests are being started ---------------------------------------
            def starter(plan: Plan) -> Callable[[], Awaitable[None]]:
                async def start() -> None:
                    if plan.via_teams:
                        answer = await teams.say(f"expense {100 + plan.number} {plan.description}", REQUESTER)
                        assert answer.status in (200, 202), answer.text
                        plan.instance_id = _confirmation(fake, plan)
                        assert plan.instance_id, f"no confirmation for {plan.description}"
                        return
                    body = {"amount": 100 + plan.number, "requester": HTTP_REQUESTER,
                            "description": plan.description, "timeout_seconds": plan.timeout_s}
                    async with session.post(f"{host.origin}/api/human_interaction", json=body) as response:
                        assert response.status == 202, await response.text()
                        plan.instance_id = (await response.json())["id"]
                return start

            def unstarted() -> list[Plan]:
                """Requests still to be asked again: no answer, and no confirmation in the chat
                either (a requester who saw the confirmation would not ask again)."""
                left = []
                for plan in plans:
                    if plan.instance_id is None and plan.via_teams:
                        plan.instance_id = _confirmation(fake, plan)
                        tally.adopted_starts += plan.instance_id is not None
                    if plan.instance_id is None:
                        left.append(plan)
                return left

            cut = await kill_during(host, [starter(p) for p in plans], asyncio.Event(),
                                    kill_after=rng.randint(len(plans) // 4, len(plans) * 3 // 4))
            crashes.killed(f"while starting: {cut} starts in flight lost their answer")
            assert cut, "no start request was in flight at the kill"

            # --- 2. killed while a request card is being posted ---------------------------------
            again = unstarted()
            tally.resent_starts = len(again)
            waiting_for_post = len(statuses(db)) - len(posts_by_approval(fake, APPROVALS))
            held = fake.hold("send", conversation=APPROVALS,
                             after=rng.randrange(max(1, waiting_for_post + len(again))))
            await crashes.start()
            await kill_during(host, [starter(p) for p in again], held.arrived)
            held.release()
            posting = _held_instance(held)
            assert posting in unfinished_activities(db, SEND), "the kill did not land while a card was being posted"
            crashes.killed(f"while posting a request card: {len(posts_by_approval(fake, APPROVALS))} requests posted")
            await crashes.start()
            again = unstarted()
            tally.resent_starts += len(again)
            await gather_limited([starter(p) for p in again])

            # Everything known (and anything started by a request that never got its answer) posted.
            rows = await host.wait_for_all(session, lambda rs: all(_past_sending(r) for r in rs), timeout=120)
            known = {p.instance_id for p in plans}
            phantoms = [r for r in rows if r["instanceId"] not in known]
            tally.phantoms = len(phantoms)
            for row in phantoms:
                given = row["input"] if isinstance(row["input"], dict) else json.loads(row["input"])
                timeout_s = given.get("timeoutSeconds", LONG_TIMEOUT_S)
                plans.append(Plan(len(plans), "escalate" if timeout_s <= TIMEOUT_WINDOW_S[1] else "approve",
                                  via_teams=given.get("requesterAccount") is not None, timeout_s=timeout_s,
                                  instance_id=row["instanceId"]))
            recorded = {r["instanceId"]: _recorded_card(fake, r) for r in rows}
            cards = posts_by_approval(fake, APPROVALS)

            # --- 3. killed while decisions are being clicked --------------------------------------
            def decider(plan: Plan) -> Callable[[], Awaitable[None]]:
                async def decide() -> None:
                    assert plan.instance_id is not None
                    card = recorded[plan.instance_id]
                    copies = [c for c in cards[plan.approval_id] if c is not card]
                    plan.on_copy = bool(copies)
                    target = copies[0] if copies else card
                    assert target is not None, f"{plan.instance_id}: no card to click"
                    data: dict[str, Any] = {"approvalId": plan.approval_id}
                    if plan.kind == "deny":
                        data["reason"] = f"Not in budget ({plan.number})"
                    verb = "approve" if plan.kind == "approve" else "denyWithReason"
                    answer = await teams.click(verb, data, DECIDER[plan.kind], card=target)
                    assert answer.status == 200, answer.text
                    plan.told.append(shown_outcome(answer.json()["value"]))
                    plan.decided = True
                return decide

            deciding = [p for p in plans if p.kind != "escalate"]
            cut = await kill_during(host, [decider(p) for p in deciding], asyncio.Event(),
                                    kill_after=rng.randint(len(deciding) // 5, len(deciding) * 4 // 5))
            crashes.killed(f"while deciding: {cut} clicks in flight lost their answer")
            assert cut, "no click was in flight at the kill"
            await crashes.start()
            undecided = [p for p in deciding if not p.decided]
            tally.resent_decisions = len(undecided)
            await gather_limited([decider(p) for p in undecided])

            # --- 4. killed at the instant a deadline comes due ------------------------------------
            escalating = {p.approval_id for p in plans if p.kind == "escalate"}
            owed = await kill_as_a_deadline_comes_due(host, db, rng, 2 * TIMEOUT_WINDOW_S[1])
            crashes.killed(f"as a deadline came due: {len(owed)} deadlines due and not yet escalated")
            assert owed, "no deadline was due at the kill"
            await crashes.start()

            # --- 5. killed while an escalation is being posted ------------------------------------
            remaining = len(escalating - set(posts_by_approval(fake, ESCALATIONS)))
            assert remaining, "every escalation was done before the escalation kill"
            held = fake.hold("send", conversation=ESCALATIONS, after=rng.randrange(max(1, remaining // 2)))
            await asyncio.wait_for(held.arrived.wait(), 2 * TIMEOUT_WINDOW_S[1])
            await host.kill()
            held.release()
            escalation_cut_short = _held_instance(held)
            assert escalation_cut_short in unfinished_activities(db, ESCALATE), (
                "the kill did not land while the escalation was being posted")
            crashes.killed("while posting an escalation")
            await crashes.start()

            try:
                rows = await host.wait_for_all(session, lambda rs: all(r["runtimeStatus"] in TERMINAL for r in rs),
                                               timeout=60)
            except TimeoutError:
                rows = await host.instances(session)

            # --- an approver looks at every second card, as Teams shows them ----------------------
            tally.open_copies = sum(shown_outcome(card.card)[0] == OPEN
                                    for cards in posts_by_approval(fake, APPROVALS).values() for card in cards)
            looked_at = await _look_at_copies(teams, fake, rows)
            tally.copies_looked_at = len(looked_at)
        finally:
            await host.stop()

        report = _verdict(plans, rows, fake, crashes, db, looked_at)

    request_copies = sum(len(c) - 1 for c in posts_by_approval(fake, APPROVALS).values())
    escalation_copies = sum(len(c) - 1 for c in posts_by_approval(fake, ESCALATIONS).values())
    notice_copies = sum(len(c) - 1 for c in posts_by_approval(fake, fake.personal_chat_of(REQUESTER["id"])).values())
    print(f"approvals {len(plans)} ({PER_KIND} per kind), kills: {'; '.join(crashes.labels)}")
    print(f"posts cut short by each kill: {crashes.repeated_by_kill()}")
    print(f"resent starts {tally.resent_starts}, confirmed although the answer was lost {tally.adopted_starts}, "
          f"phantom starts {tally.phantoms}, resent clicks {tally.resent_decisions}")
    print(f"posts repeated by a re-run after a kill: request cards {request_copies}, escalation posts "
          f"{escalation_copies}, requester notices {notice_copies}; decided on a second card "
          f"{sum(p.on_copy for p in plans if p.decided)}, second cards looked at {tally.copies_looked_at} "
          f"({tally.open_copies} still showing buttons until then)")
    print(", ".join(f"{name.replace('_', ' ')} {len(found)}" for name, found in report.items()))
    assert len(crashes.runs) == 5
    assert len(posts_by_approval(fake, APPROVALS)[f"approval-{posting}"]) >= 2, (
        "the card posted as the host was killed was not posted again")
    assert len(posts_by_approval(fake, ESCALATIONS)[f"approval-{escalation_cut_short}"]) >= 2, (
        "the escalation posted as the host was killed was not posted again")
    failures = {name: found[:5] for name, found in report.items() if found}
    assert not failures, failures


async def _look_at_copies(teams: TeamsClient, fake: FakeConnector, rows: list[dict[str, Any]]
                          ) -> dict[str, tuple[str, str | None]]:
    """Each request card the workflow did not record, looked at by an approver: Teams sends the
    card's refresh action for the users it lists (a card without one is seen as it is). Activity
    id -> what the approver sees."""
    recorded = {id(card) for card in (_recorded_card(fake, row) for row in rows) if card is not None}
    answers: dict[str, tuple[str, str | None]] = {}
    for cards in posts_by_approval(fake, APPROVALS).values():
        for card in cards:
            if id(card) in recorded:
                continue
            refresh = (card.card or {}).get("refresh")
            if refresh is None:  # it no longer asks to be refreshed: what it shows is what they see
                answers[card.activity_id] = shown_outcome(card.card)
                continue
            if APPROVER["id"] not in refresh.get("userIds", ()):
                answers[card.activity_id] = ("not refreshed for the approvers", None)
                continue
            answer = await teams.click(refresh["action"]["verb"], refresh["action"]["data"], APPROVER, card=card,
                                       trigger="automatic")
            assert answer.status == 200, answer.text
            answers[card.activity_id] = shown_outcome(answer.json()["value"])
    return answers


def _verdict(plans: list[Plan], rows: list[dict], fake: FakeConnector, crashes: Crashes, db: Path,
             looked_at: dict[str, tuple[str, str | None]]) -> dict[str, list[str]]:
    by_id = {r["instanceId"]: r for r in rows}
    acted = outcome_actions(db)
    request_cards = posts_by_approval(fake, APPROVALS)
    escalations = posts_by_approval(fake, ESCALATIONS)
    notices = posts_by_approval(fake, fake.personal_chat_of(REQUESTER["id"]))

    report: dict[str, list[str]] = {
        "lost": [], "stuck": [], "wrong": [], "clickers_told_a_lie": [],
        "request_cards_not_one_plus_the_kills_that_cut_their_post_short": [],
        "escalation_posts_not_as_documented": [], "requester_notices_not_as_documented": [],
        "second_cards_showing_something_else": [], "cards_left_with_buttons": [],
    }
    for approval_id, cards in request_cards.items():
        for card in cards:
            if shown_outcome(card.card)[0] == OPEN:
                report["cards_left_with_buttons"].append(f"{approval_id} {card.activity_id}")
    for plan in plans:
        iid, expected = plan.instance_id, EXPECTED[plan.kind]
        row = by_id.get(iid or "")
        if iid is None or row is None or not request_cards[plan.approval_id]:
            report["lost"].append(f"{plan.kind} #{plan.number} {iid}: instance or request card missing")
            continue
        if row["runtimeStatus"] != "Completed":
            report["stuck"].append(f"{plan.kind} {iid}: {row['runtimeStatus']} {row.get('customStatus')}")
            continue
        output = row["output"] or {}
        winner = ((output.get("approval") or {}).get("decidedBy") or {}).get("name")
        problems = []
        if output.get("status") != expected:
            problems.append(f"output {output.get('status')}")
        if len(acted.get(iid, [])) != 1:  # nothing fails in this test, so nothing is retried
            problems.append(f"outcome activities scheduled {acted.get(iid, [])}")
        if expected != ESCALATED and winner != DECIDER[plan.kind]["name"]:
            problems.append(f"decided by {winner}")
        card = _recorded_card(fake, row)
        shown = shown_outcome(card.card if card else None)
        if shown != ((EXPIRED, None) if expected == ESCALATED else (expected, winner)):
            problems.append(f"the recorded card shows {shown}")
        if problems:
            report["wrong"].append(f"{plan.kind} {iid}: expected {expected}; " + ", ".join(problems))
        if plan.told and not _truthful(plan.told[-1], output.get("status", ""), winner):
            report["clickers_told_a_lie"].append(f"{iid}: told {plan.told}, recorded {output.get('status')} "
                                                 f"by {winner}")

        cards = request_cards[plan.approval_id]
        wanted = 1 + crashes.exposures(SEND, iid, cards)
        if len(cards) != wanted:
            report["request_cards_not_one_plus_the_kills_that_cut_their_post_short"].append(
                f"{iid}: {len(cards)} cards, {wanted} expected")
        for copy in cards:
            if copy is not card and looked_at.get(copy.activity_id) != shown:
                report["second_cards_showing_something_else"].append(
                    f"{iid} {copy.activity_id}: looked at, it showed {looked_at.get(copy.activity_id)}, "
                    f"the recorded card {shown}")
        posted = escalations.get(plan.approval_id, [])
        wanted = (1 + crashes.exposures(ESCALATE, iid, posted)) if expected == ESCALATED else 0
        if len(posted) != wanted:
            report["escalation_posts_not_as_documented"].append(f"{plan.kind} {iid}: {len(posted)}, "
                                                                f"{wanted} expected")
        told = notices.get(plan.approval_id, [])
        activity = ESCALATE if expected == ESCALATED else RECORD
        wanted = (1 + crashes.exposures(activity, iid, told)) if plan.via_teams else 0
        if len(told) != wanted:
            report["requester_notices_not_as_documented"].append(f"{plan.kind} {iid}: {len(told)}, "
                                                                 f"{wanted} expected")
    return report
