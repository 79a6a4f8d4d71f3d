"""A second card of one request, as a re-run of the posting activity leaves it after a crash
(Teams accepted the first post, the host died before storing its id). The workflow never hears of
it; it must never decide twice and must come to show the outcome for everyone."""

from __future__ import annotations

import copy
from datetime import timedelta

from testkit.teams_connector import Posted
from testkit.teams_harness import (
    APPROVALS,
    APPROVER,
    OTHER_APPROVER,
    REQUESTER,
    Started,
    TeamsHarness,
    card_text,
    teams_devhost,
    verbs,
)
from tests.proof.hub import outcome_actions


def _second_copy(teams: TeamsHarness, started: Started) -> Posted:
    """The request card posted once more, with its own id, as the re-run's post would be."""
    stray = Posted(APPROVALS, "act-stray-1", copy.deepcopy(started.card.activity))
    teams.fake.posted.append(stray)
    return stray


async def test_the_request_card_asks_teams_to_refresh_it_for_the_approvers() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")
        refresh = started.card.card["refresh"]
        assert refresh["action"]["verb"] == "refresh"
        assert refresh["action"]["data"] == {"approvalId": started.approval_id}
        assert refresh["userIds"] == sorted([APPROVER["id"], OTHER_APPROVER["id"]])


async def test_a_copy_seen_after_the_decision_shows_the_outcome_to_everyone() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")
        stray = Started(started.approval_id, started.instance_id, _second_copy(teams, started))
        await teams.click_card("approve", started, APPROVER)
        await teams.host.wait_for_status(started.instance_id, "Completed")
        assert verbs(stray.card.card) == ["approve", "deny"]  # nothing told the workflow about it

        answer = await teams.click("refresh", {"approvalId": started.approval_id}, OTHER_APPROVER,
                                   card=stray.card, trigger="automatic")
        shown = answer.json()["value"]
        assert verbs(shown) == [] and "Approved by Bob" in card_text(shown)
        assert verbs(stray.card.card) == [] and "Approved by Bob" in card_text(stray.card.card)
        assert "refresh" not in stray.card.card


async def test_a_click_on_a_copy_decides_nothing_twice_and_fixes_the_copy() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")
        stray = Started(started.approval_id, started.instance_id, _second_copy(teams, started))
        await teams.click_card("denyWithReason", started, APPROVER, reason="Over budget")
        await teams.host.wait_for_status(started.instance_id, "Completed")

        shown = await teams.click_card("approve", stray, OTHER_APPROVER)
        assert "already denied by Bob" in card_text(shown) and verbs(shown) == []
        assert "Denied by Bob" in card_text(stray.card.card) and verbs(stray.card.card) == []
        status = await teams.host.get_status(started.instance_id)
        assert status["output"]["status"] == "Denied"
        assert len(outcome_actions(teams.host.db_path)[started.instance_id]) == 1


async def test_a_click_on_a_copy_of_an_open_request_decides_it_once_and_every_card_shows_it() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")
        stray = Started(started.approval_id, started.instance_id, _second_copy(teams, started))

        shown = await teams.click_card("approve", stray, APPROVER)
        assert "Approved by Bob" in card_text(shown)
        await teams.host.wait_for_status(started.instance_id, "Completed")
        for card in (started.card, stray.card):
            assert verbs(card.card) == [] and "Approved by Bob" in card_text(card.card)


async def test_a_copy_of_an_expired_request_shows_it_expired_once_seen() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")
        stray = _second_copy(teams, started)
        await teams.host.advance(timedelta(minutes=11))
        await teams.host.wait_for_status(started.instance_id, "Completed")

        await teams.click("refresh", {"approvalId": started.approval_id}, APPROVER, card=stray, trigger="automatic")
        assert "Expired" in card_text(stray.card) and verbs(stray.card) == []


async def test_a_copy_that_cannot_be_updated_still_answers_the_clicker_and_is_fixed_on_the_next_look() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")
        stray = Started(started.approval_id, started.instance_id, _second_copy(teams, started))
        await teams.click_card("approve", started, APPROVER)
        await teams.host.wait_for_status(started.instance_id, "Completed")

        teams.fake.fail_next(2, status=500, conversation=APPROVALS)  # the update and its one repeat
        shown = await teams.click_card("approve", stray, OTHER_APPROVER)
        assert "already approved by Bob" in card_text(shown)
        assert verbs(stray.card.card) == ["approve", "deny"]

        await teams.click("refresh", {"approvalId": started.approval_id}, APPROVER, card=stray.card,
                          trigger="automatic")
        assert verbs(stray.card.card) == [] and "Approved by Bob" in card_text(stray.card.card)


async def test_a_copy_of_a_cancelled_request_shows_it_cancelled_once_seen() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")
        stray = _second_copy(teams, started)
        answer = await teams.click("cancelRequest", {"approvalId": started.approval_id}, REQUESTER)
        assert answer.status == 200, answer.text
        await teams.host.wait_for_status(started.instance_id, "Completed")

        await teams.click("refresh", {"approvalId": started.approval_id}, APPROVER, card=stray, trigger="automatic")
        assert "Cancelled by Alice" in card_text(stray.card) and verbs(stray.card) == []
