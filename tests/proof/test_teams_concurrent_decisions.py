"""Two approvers click on the same Teams request card at the same instant, many times over.

Each round starts a request by text, then fires two clicks at once: Approve by Bob and Deny with a
reason by Carol (or Approve by both), either one sent first. Afterwards exactly one decision is recorded, the card each
clicker got back names that decision and its maker (or names none), and the posted card everyone
else reads shows it, without buttons.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import Any

from testkit.teams_harness import (
    APPROVER,
    OTHER_APPROVER,
    REQUESTER,
    Started,
    TeamsHarness,
    approval_id_in,
    card_text,
    teams_devhost,
)
from tests.proof.hub import outcome_actions
from tests.proof.sizing import scaled, seeded_random
from tests.proof.teams_view import OPEN, shown_outcome

ROUNDS = scaled(40, minimum=4)
BATCH = 8  # rounds raced side by side


@dataclass
class Round:
    started: Started
    told: dict[str, dict[str, Any]]  # clicker's name -> the card their click got back
    race: str  # which clicks, in which order


async def _start(teams: TeamsHarness, n: int) -> Started:
    """Ask for one request; with others asked at the same time, its confirmation is the one that
    names its own description."""
    description = f"Race {n}."
    answer = await teams.say(f"expense {100 + n} {description}")
    assert answer.status in (200, 202), answer.text
    [confirmation] = [reply for reply in teams.replies_to(REQUESTER) if description in card_text(reply.card)]
    approval_id = approval_id_in(card_text(confirmation.card))
    instance_id = approval_id.removeprefix("approval-")
    posted = (await teams.wait_until_waiting(instance_id))["customStatus"]["messages"]["teams"]
    return Started(approval_id, instance_id, teams.fake.find(posted["conversationId"], posted["activityId"]))


async def _race(teams: TeamsHarness, started: Started, deny: bool, carol_first: bool) -> Round:
    approve = teams.click_card("approve", started, APPROVER)
    if deny:
        second = teams.click_card("denyWithReason", started, OTHER_APPROVER, reason="Over budget")
    else:
        second = teams.click_card("approve", started, OTHER_APPROVER)
    if carol_first:
        second_card, first_card = await asyncio.gather(second, approve)
    else:
        first_card, second_card = await asyncio.gather(approve, second)
    race = ("Carol's " if carol_first else "Bob's ") + ("first, Carol denies" if deny else "first, both approve")
    return Round(started, {APPROVER["name"]: first_card, OTHER_APPROVER["name"]: second_card}, race)


def _truthful(card: dict[str, Any], outcome: str, winner: str) -> bool:
    """A card that names a decision must name the recorded one and its maker; a card still open
    (the decision "was sent") claims nothing."""
    shown, by = shown_outcome(card)
    if shown == OPEN:
        return "already" not in card_text(card)
    return shown == outcome and by == winner


async def test_simultaneous_clicks_on_a_teams_card_record_one_decision_and_tell_everyone_the_truth() -> None:
    rng = seeded_random("teams concurrent decisions")
    lies: list[str] = []
    double_decisions: list[str] = []
    wrong_cards: list[str] = []
    winners: Counter[str] = Counter()
    async with teams_devhost() as teams:
        rounds: list[Round] = []
        for first in range(0, ROUNDS, BATCH):
            size = min(BATCH, ROUNDS - first)
            starts = await asyncio.gather(*(_start(teams, first + i) for i in range(size)))
            rounds += await asyncio.gather(*(_race(teams, started, rng.random() < 0.5, rng.random() < 0.5) for started in starts))
        await teams.host.settle()
        acted = outcome_actions(teams.host.db_path)
        for round_ in rounds:
            iid = round_.started.instance_id
            status = await teams.host.wait_for_status(iid, "Completed")
            outcome = status["output"]["status"]
            winner = status["output"]["approval"]["decidedBy"]["name"]
            winners[f"{round_.race}: {outcome} by {winner}"] += 1
            if len(acted.get(iid, ())) != 1:
                double_decisions.append(f"{iid}: acted on {sorted(acted.get(iid, ()))}")
            for clicker, card in round_.told.items():
                if not _truthful(card, outcome, winner):
                    lies.append(f"{iid}: {clicker} told {shown_outcome(card)}, outcome {outcome} by {winner}")
            shown = shown_outcome(round_.started.card.card)
            if shown != (outcome, winner):
                wrong_cards.append(f"{iid}: the posted card shows {shown}, outcome {outcome} by {winner}")
    print(f"rounds {len(rounds)}: double decisions {len(double_decisions)}, clickers told a lie {len(lies)}, "
          f"cards showing the wrong outcome {len(wrong_cards)}; {dict(winners)}")
    assert len({round_.started.instance_id for round_ in rounds}) == ROUNDS
    assert not double_decisions, double_decisions[:5]
    assert not wrong_cards, wrong_cards[:5]
    assert not lies, lies[:5]
