"""`list` in the Teams 1:1 chat: what waits for me, with Approve / Deny, and my own recent requests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from testkit.teams_harness import APPROVER, OUTSIDER, REQUESTER, TeamsHarness, card_text, teams_devhost


def executes(card: Any) -> list[tuple[str, str]]:
    """Every Action.Execute anywhere on the card: (verb, approvalId)."""
    found: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append((node["verb"], node["data"].get("approvalId")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


async def listed(teams: TeamsHarness, user: dict[str, str]) -> dict[str, Any]:
    before = len(teams.replies_to(user))
    answer = await teams.say("list", user)
    assert answer.status in (200, 202), answer.text
    (reply,) = teams.replies_to(user)[before:]
    assert reply.card is not None, reply.latest
    return reply.card


async def test_list_shows_an_approver_what_waits_and_approving_from_it_decides() -> None:
    async with teams_devhost() as teams:
        first = await teams.start_by_text("expense 120 Team lunch")
        await teams.host.advance(timedelta(seconds=30))
        second = await teams.start_by_text("expense 75.50 Taxi")

        card = await listed(teams, APPROVER)
        assert card["type"] == "AdaptiveCard" and "Waiting for you (2)" in card_text(card)
        assert executes(card) == [("approve", first.approval_id), ("deny", first.approval_id),
                                  ("approve", second.approval_id), ("deny", second.approval_id)]
        assert "Team lunch (from Alice)" in card_text(card)

        answer = await teams.click("approve", {"approvalId": first.approval_id}, APPROVER)
        assert answer.status == 200 and "Approved by Bob" in card_text(answer.json()["value"])
        status = await teams.host.wait_for_status(first.instance_id, "Completed")
        assert status["output"]["approval"]["decidedBy"]["id"] == APPROVER["id"]

        after = await listed(teams, APPROVER)
        assert executes(after) == [("approve", second.approval_id), ("deny", second.approval_id)]


async def test_list_shows_a_requester_their_own_requests_and_nothing_to_decide() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")
        await teams.click_card("approve", started, APPROVER)
        await teams.host.wait_for_status(started.instance_id, "Completed")
        await teams.host.advance(timedelta(seconds=5))  # the status API's times are to the second
        await teams.start_by_text("expense 40 Parking")

        card = await listed(teams, REQUESTER)
        text = card_text(card)
        assert executes(card) == [] and "Waiting for you" not in text  # Alice is not an approver
        assert text.index("Parking") < text.index("Team lunch")  # newest first
        assert "Approved by Bob" in text and "Waiting for a decision" in text

        outsider = await listed(teams, OUTSIDER)
        assert "You have made no requests in the last 30 days" in card_text(outsider)
