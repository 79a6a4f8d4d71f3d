"""Approve / Deny on the Teams request card: who may decide, the card in place, the requester told."""

from __future__ import annotations

from datetime import timedelta

from testkit.teams_harness import (
    APPROVER,
    ESCALATIONS,
    OTHER_APPROVER,
    OUTSIDER,
    REQUESTER,
    card_text,
    teams_devhost,
    verbs,
)


async def test_approve_decides_at_once_updates_the_card_everywhere_and_tells_the_requester() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")

        shown = await teams.click_card("approve", started, APPROVER)
        assert verbs(shown) == [] and "Approved by Bob" in card_text(shown)

        status = await teams.host.wait_for_status(started.instance_id, "Completed")
        assert status["output"]["status"] == "Approved"
        assert status["output"]["approval"]["decidedBy"] == {"platform": "teams", "id": APPROVER["id"],
                                                             "name": "Bob"}
        # The posted card itself, as every other reader sees it, was replaced by the activity.
        assert verbs(started.card.card) == [] and "Approved by Bob" in card_text(started.card.card)
        notice = teams.replies_to(REQUESTER)[-1]
        notice_text = card_text(notice.card)
        assert "was approved" in notice_text and "Team lunch" in notice_text and "$120.00" in notice_text
        link = status["customStatus"]["messages"]["teams"]["link"]
        assert [action.get("url") for action in notice.card.get("actions", [])] == [link]


async def test_deny_asks_for_a_required_reason_then_denies_with_it() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 900 New laptop")

        form = await teams.click_card("deny", started, APPROVER)
        assert verbs(form) == ["denyWithReason", "back"]
        assert [e["id"] for e in form["body"] if e.get("type") == "Input.Text"] == ["reason"]
        assert (await teams.host.get_status(started.instance_id))["runtimeStatus"] == "Running"

        again = await teams.click_card("denyWithReason", started, APPROVER, reason="   ")
        assert "Give a reason for denying." in card_text(again)
        assert (await teams.host.get_status(started.instance_id))["runtimeStatus"] == "Running"

        back = await teams.click_card("back", started, APPROVER)
        assert verbs(back) == ["approve", "deny"]

        denied = await teams.click_card("denyWithReason", started, APPROVER, reason="Use the **old** one")
        assert "Denied by Bob" in card_text(denied) and "Use the **old** one" in card_text(denied)
        status = await teams.host.wait_for_status(started.instance_id, "Completed")
        assert status["output"]["status"] == "Denied"
        assert status["output"]["approval"]["comments"] == "Use the **old** one"
        assert "was denied" in card_text(teams.replies_to(REQUESTER)[-1].card)


async def test_the_requester_and_outsiders_are_refused_privately_and_nothing_changes() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")

        own = await teams.click_card("approve", started, REQUESTER)
        assert "You can't decide your own request" in card_text(own)
        assert verbs(own) == ["approve", "deny"]
        outsider = await teams.click_card("approve", started, OUTSIDER)
        assert "Only the designated approvers" in card_text(outsider)
        denied = await teams.click_card("denyWithReason", started, OUTSIDER, reason="no")
        assert "Only the designated approvers" in card_text(denied)

        status = await teams.host.get_status(started.instance_id)
        assert status["runtimeStatus"] == "Running"
        assert teams.fake.calls_of("update") == []


async def test_a_second_click_is_told_the_recorded_outcome() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")
        await teams.click_card("approve", started, APPROVER)
        await teams.host.wait_for_status(started.instance_id, "Completed")

        late = await teams.click_card("denyWithReason", started, OTHER_APPROVER, reason="too much")
        assert "already approved by Bob" in card_text(late) and verbs(late) == []
        again = await teams.click_card("approve", started, APPROVER)
        assert "already approved by Bob" in card_text(again)
        status = await teams.host.get_status(started.instance_id)
        assert status["output"]["status"] == "Approved"


async def test_nobody_deciding_escalates_with_a_link_marks_the_card_expired_and_tells_the_requester() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 5000 Conference attendance")
        await teams.host.advance(timedelta(minutes=11))
        status = await teams.host.wait_for_status(started.instance_id, "Completed")
        assert status["output"]["status"] == "Escalated"

        [escalation] = teams.fake.in_conversation(ESCALATIONS)
        link = status["customStatus"]["messages"]["teams"]["link"]
        assert link.startswith("https://teams.microsoft.com/l/message/")
        assert [a.get("url") for a in escalation.card.get("actions", [])] == [link]
        assert "Conference attendance" in card_text(escalation.card)
        assert "Expired" in card_text(started.card.card) and verbs(started.card.card) == []
        assert "was escalated" in card_text(teams.replies_to(REQUESTER)[-1].card)

        late = await teams.click_card("approve", started, APPROVER)
        assert "expired and was escalated" in card_text(late) and verbs(late) == []
