"""Teams answering badly: the activities retry, a deleted card does not fail the workflow."""

from __future__ import annotations

import json
from datetime import timedelta

from testkit.teams_harness import APPROVALS, APPROVER, ESCALATIONS, REQUESTER, approval_id_in, teams_devhost


async def test_a_failed_post_is_retried_and_the_request_is_posted_once() -> None:
    async with teams_devhost() as teams:
        teams.fake.fail_next(1, status=503, conversation=APPROVALS)
        await teams.say("expense 120 Team lunch")
        [confirmation] = teams.replies_to(REQUESTER)
        instance_id = approval_id_in(json.dumps(confirmation.latest)).removeprefix("approval-")
        await teams.host.settle()  # the first post failed; its retry waits on a durable timer
        await teams.host.advance(timedelta(seconds=3))
        await teams.wait_until_waiting(instance_id)
        assert len(teams.fake.in_conversation(APPROVALS)) == 1
        assert [call.path.split("/")[4] for call in teams.fake.calls_of("send")].count("19:approvals@thread.tacv2") == 2


async def test_a_post_that_keeps_failing_fails_the_instance_with_the_teams_error() -> None:
    async with teams_devhost() as teams:
        teams.fake.fail_next(8, status=500, conversation=APPROVALS)  # every attempt of the retry policy
        await teams.say("expense 120 Team lunch")
        [confirmation] = teams.replies_to(REQUESTER)
        instance_id = approval_id_in(json.dumps(confirmation.latest)).removeprefix("approval-")
        await teams.host.settle()
        for _ in range(8):
            await teams.host.advance(timedelta(seconds=3))
        status = await teams.host.wait_for_status(instance_id, "Failed")
        assert "Teams post failed: HTTP 500" in status["output"]


async def test_a_deleted_request_card_does_not_stop_the_decision_from_being_told() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text()
        teams.fake.posted.remove(started.card)  # someone deleted the post
        await teams.click_card("approve", started, APPROVER)
        status = await teams.host.wait_for_status(started.instance_id, "Completed")
        assert status["output"]["status"] == "Approved"
        assert "was approved" in json.dumps(teams.replies_to(REQUESTER)[-1].card)


async def test_an_escalation_marks_the_card_expired_before_it_posts_anything() -> None:
    """Updates are safe to repeat and posts are not, so a re-run after a crash repeats as little as
    possible when the posts come last."""
    async with teams_devhost() as teams:
        started = await teams.start_by_text()
        teams.fake.fail_next(1, status=500, conversation=ESCALATIONS)
        await teams.host.advance(timedelta(minutes=11))
        await teams.host.settle()
        assert "Expired" in json.dumps(started.card.card)  # before the failed post was retried
        assert teams.fake.in_conversation(ESCALATIONS) == []
        await teams.host.advance(timedelta(seconds=3))
        await teams.host.wait_for_status(started.instance_id, "Completed")
        assert len(teams.fake.in_conversation(ESCALATIONS)) == 1
        assert [c.verb for c in teams.fake.calls][-4:] == ["update", "create", "send", "send"]
