"""Slack's Web API misbehaving while the activities talk to it."""

import json
from datetime import timedelta

from testkit.blockkit import buttons
from testkit.slack_harness import APPROVAL_CHANNEL, APPROVER, slack_devhost


async def test_a_rate_limited_post_is_retried_after_retry_after_and_lands_once() -> None:
    async with slack_devhost(before_start=lambda fake: fake.rate_limit("chat.postMessage", retry_after=0)) as slack:
        started = await slack.start_by_text()
        posts = slack.fake.calls_to("chat.postMessage")
        assert [call.status for call in posts] == [429, 200]
        assert len(slack.fake.messages_in(APPROVAL_CHANNEL)) == 1
        assert len(buttons(started.message.blocks)) == 2


async def test_a_server_error_on_update_is_retried_and_the_message_still_ends_right() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text()
        slack.fake.fail("chat.update", status=500, times=1)
        await slack.host.advance(timedelta(minutes=11))
        status = await slack.host.wait_for_status(started.instance_id, "Completed")
        assert "notificationError" not in status["output"]
        updates = slack.fake.calls_to("chat.update")
        assert [call.status for call in updates] == [500, 200]
        assert buttons(slack.fake.message(APPROVAL_CHANNEL, started.message.ts).blocks) == []


async def test_a_persistent_slack_failure_fails_the_instance_with_the_slack_error() -> None:
    async with slack_devhost(before_start=lambda fake: fake.fail("chat.postMessage", status=500, times=None)) as slack:
        answer = await slack.command("5000 Conference attendance")
        instance_id = answer.text.split("approval-")[1][:32]
        # the durable retry policy (2 s apart, 5 attempts) runs on the virtual clock
        for _ in range(6):
            await slack.host.advance(timedelta(seconds=3))
        status = await slack.host.wait_for_status(instance_id, "Failed", "Completed")
        assert status["runtimeStatus"] == "Failed"  # visible at once, not stuck Running
        error = status["customStatus"]["notificationError"]
        assert "Slack chat.postMessage failed: internal_error (HTTP 500)" in error
        assert "internal_error" in json.dumps(status["output"])
        assert len(slack.fake.calls_to("chat.postMessage")) == 5 * 2  # 5 attempts, each retried once by slack_sdk

        hook = slack.new_response_url()
        await slack.click("approve_request", f"approval-{instance_id}", user_id=APPROVER, response_url=hook)
        (reply,) = slack.responses_to(hook)
        assert "ended without a decision" in reply["text"]


async def test_the_first_request_a_process_serves_needs_no_slack_call_to_be_authorized() -> None:
    """Bolt's default single-team check calls auth.test on the first request; if Slack hiccups
    there, people are told to reinstall the app. The ack path must not depend on that call."""
    async with slack_devhost(before_start=lambda fake: fake.fail("auth.test", status=500, times=None)) as slack:
        answer = await slack.command("100 Team lunch")
        assert answer.status == 200
        assert "reinstall" not in answer.text.lower() and "approval-" in answer.text, answer.text
        started = await slack.start_by_text()
        hook = slack.new_response_url()
        await slack.click("approve_request", started.approval_id, user_id=APPROVER, message=started.message,
                          response_url=hook)
        (replaced,) = slack.responses_to(hook)
        assert replaced["replace_original"] is True
        assert slack.fake.calls_to("auth.test") == []


async def test_a_request_post_whose_answer_was_lost_is_not_posted_twice() -> None:
    """Slack posted the request, then the answer failed: the bot looks before posting again, so
    there is one message and the workflow updates that one."""
    async with slack_devhost(
        before_start=lambda fake: fake.fail("chat.postMessage", status=500, applied=True)
    ) as slack:
        started = await slack.start_by_text()
        (message,) = slack.fake.messages_in(APPROVAL_CHANNEL)
        assert started.message.ts == message.ts
        await slack.click("approve_request", started.approval_id, user_id=APPROVER, message=started.message)
        await slack.host.wait_for_status(started.instance_id, "Completed")
        assert [buttons(m.blocks) for m in slack.fake.messages_in(APPROVAL_CHANNEL)] == [[]]
