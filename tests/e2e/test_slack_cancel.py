"""Cancel request in Slack: only the requester, only while it waits, and the truth afterwards."""

from __future__ import annotations

import asyncio

from testkit.blockkit import all_text, buttons
from testkit.slack_harness import APPROVER, OUTSIDER, REQUESTER, SlackHarness, Started, slack_devhost


async def _request(slack: SlackHarness) -> tuple[Started, dict]:
    """`/expense`, and the requester's confirmation with its Cancel request button."""
    answer = await slack.command("5000 Conference attendance")
    confirmation = answer.json()
    [cancel] = buttons(confirmation["blocks"])
    assert (cancel["action_id"], cancel["text"]["text"]) == ("cancel_request", "Cancel request")
    approval_id = cancel["value"]
    status = await slack.wait_until_waiting(approval_id.removeprefix("approval-"))
    posted = status["customStatus"]["message"]
    return Started(approval_id, approval_id.removeprefix("approval-"),
                   slack.fake.message(posted["channel"], posted["ts"])), confirmation


async def _still_waiting(slack: SlackHarness, started: Started) -> None:
    await slack.host.settle()
    status = await slack.host.get_status(started.instance_id)
    assert status is not None and status["runtimeStatus"] == "Running", status
    assert status["customStatus"]["stage"] == "waiting_for_approval"
    assert status["customStatus"]["invalidResponses"] == 0
    assert [b["action_id"] for b in buttons(started.message.blocks)] == ["approve_request", "deny_request"]


async def test_the_requester_cancels_and_the_request_loses_its_buttons() -> None:
    async with slack_devhost() as slack:
        started, _ = await _request(slack)
        hook = slack.new_response_url()
        answer = await slack.click("cancel_request", started.approval_id, user_id=REQUESTER, response_url=hook)
        assert answer.status == 200

        (confirmation,) = slack.responses_to(hook)  # within the ack: the button is gone, the outcome shown
        assert confirmation["replace_original"] is True and buttons(confirmation["blocks"]) == []
        assert "You cancelled your request" in all_text(confirmation["blocks"])

        status = await slack.host.wait_for_status(started.instance_id, "Completed")
        output = status["output"]
        assert output["status"] == "Cancelled"
        assert output["cancellation"]["via"] == "slack"
        assert output["cancellation"]["cancelledBy"]["id"] == REQUESTER
        assert output["cancelledAt"] == output["cancellation"]["timestamp"]

        original = slack.fake.message(started.message.channel, started.message.ts)
        assert original.updates >= 1 and buttons(original.blocks) == []
        assert f"*Cancelled* by <@{REQUESTER}>" in all_text(original.blocks)
        assert original.text.startswith("Cancelled by")
        (dm,) = [m for m in slack.fake.messages.values() if m.channel.startswith("D")]
        assert "cancelled" in dm.text.lower()

        hook = slack.new_response_url()
        await slack.click("approve_request", started.approval_id, user_id=APPROVER, response_url=hook)
        told = slack.responses_to(hook)[-1]
        assert told["text"] == "This request was cancelled by its requester."


async def test_nobody_else_may_cancel() -> None:
    async with slack_devhost() as slack:
        started, _ = await _request(slack)
        for user in (APPROVER, OUTSIDER):
            hook = slack.new_response_url()
            answer = await slack.click("cancel_request", started.approval_id, user_id=user, response_url=hook)
            assert answer.status == 200
            (refusal,) = slack.responses_to(hook)
            assert refusal["response_type"] == "ephemeral" and refusal["replace_original"] is False
            assert refusal["text"] == "Only the person who made this request can cancel it."
        await _still_waiting(slack, started)


async def test_a_cancel_after_the_decision_gets_the_recorded_outcome() -> None:
    async with slack_devhost() as slack:
        started, _ = await _request(slack)
        await slack.click("approve_request", started.approval_id, user_id=APPROVER, message=started.message)
        await slack.host.wait_for_status(started.instance_id, "Completed")

        hook = slack.new_response_url()
        await slack.click("cancel_request", started.approval_id, user_id=REQUESTER, response_url=hook)
        shown, told = slack.responses_to(hook)
        assert shown["replace_original"] is True and buttons(shown["blocks"]) == []
        assert f"*Approved* by <@{APPROVER}>" in told["text"]
        status = await slack.host.get_status(started.instance_id)
        assert status is not None and status["output"]["status"] == "Approved"


async def test_a_cancel_and_an_approval_at_once_record_one_outcome_and_both_are_told_it() -> None:
    async with slack_devhost() as slack:
        started, _ = await _request(slack)
        cancel_hook, approve_hook = slack.new_response_url(), slack.new_response_url()
        await asyncio.gather(
            slack.click("cancel_request", started.approval_id, user_id=REQUESTER, response_url=cancel_hook),
            slack.click("approve_request", started.approval_id, user_id=APPROVER, message=started.message,
                        response_url=approve_hook),
        )
        status = await slack.host.wait_for_status(started.instance_id, "Completed")
        outcome = status["output"]["status"]
        assert outcome in ("Approved", "Cancelled")
        original = slack.fake.message(started.message.channel, started.message.ts)
        assert buttons(original.blocks) == []
        assert f"*{outcome}* by" in all_text(original.blocks)
        cancel_said = str(slack.responses_to(cancel_hook))
        approve_said = str(slack.responses_to(approve_hook))
        if outcome == "Cancelled":
            assert "You cancelled your request" in cancel_said and "cancelled by its requester" in approve_said
        else:
            assert "already *Approved*" in cancel_said and "You cancelled" not in cancel_said


async def test_a_request_made_in_slack_cannot_be_cancelled_over_http() -> None:
    async with slack_devhost() as slack:
        started, _ = await _request(slack)
        async with slack.session.post(f"{slack.host.base_url}/api/cancel/{started.approval_id}",
                                      json={"requester": REQUESTER.lower()}) as response:
            assert response.status == 403
            body = await response.json()
        assert body["field"] == "requester" and "Slack" in body["error"]
        await _still_waiting(slack, started)
