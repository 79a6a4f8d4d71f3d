"""Cancel request on the requester's Teams confirmation: only theirs, only while it waits."""

from __future__ import annotations

from typing import Any

from testkit.teams_harness import APPROVER, OUTSIDER, REQUESTER, Started, TeamsHarness, card_text, teams_devhost, verbs


async def _cancel(teams: TeamsHarness, started: Started, user: dict[str, str]) -> dict[str, Any]:
    """Click Cancel request, as if on the confirmation in the user's 1:1 chat with the bot."""
    answer = await teams.click("cancelRequest", {"approvalId": started.approval_id}, user)
    assert answer.status == 200, answer.text
    body = answer.json()
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive", body
    return body["value"]


async def test_the_requester_cancels_from_their_confirmation_and_the_card_is_updated_in_place() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")
        confirmation = teams.replies_to(REQUESTER)[0].card
        assert verbs(confirmation) == ["cancelRequest"]

        shown = await _cancel(teams, started, REQUESTER)
        assert verbs(shown) == [] and "was cancelled" in card_text(shown) and "Cancelled by Alice" in card_text(shown)

        status = await teams.host.wait_for_status(started.instance_id, "Completed")
        assert status["output"]["status"] == "Cancelled"
        assert status["output"]["cancellation"]["cancelledBy"] == {"platform": "teams", "id": REQUESTER["id"],
                                                                   "name": "Alice"}
        # The approvers' card, as every reader sees it, was replaced by the activity.
        assert verbs(started.card.card) == [] and "Cancelled by Alice" in card_text(started.card.card)
        assert "was cancelled" in card_text(teams.replies_to(REQUESTER)[-1].card)

        late = await teams.click_card("approve", started, APPROVER)
        assert verbs(late) == [] and "cancelled by its requester" in card_text(late)


async def test_nobody_else_may_cancel_and_nothing_changes() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")
        for user in (APPROVER, OUTSIDER):
            refused = await _cancel(teams, started, user)
            assert "Only the person who made this request can cancel it." in card_text(refused)
            assert verbs(refused) == []
        await teams.host.settle()
        status = await teams.host.get_status(started.instance_id)
        assert status["runtimeStatus"] == "Running"
        assert status["customStatus"]["invalidResponses"] == 0
        assert teams.fake.calls_of("update") == []


async def test_a_cancel_after_the_decision_shows_the_recorded_outcome() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")
        await teams.click_card("approve", started, APPROVER)
        await teams.host.wait_for_status(started.instance_id, "Completed")

        shown = await _cancel(teams, started, REQUESTER)
        assert verbs(shown) == []
        assert "already approved by Bob" in card_text(shown) and "Approved by Bob" in card_text(shown)
        status = await teams.host.get_status(started.instance_id)
        assert status["output"]["status"] == "Approved"
