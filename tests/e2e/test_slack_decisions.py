"""Approve / Deny clicks: who may decide, what the clicker sees, what the workflow records."""

import asyncio
import json
from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient

from testkit.blockkit import all_text, buttons
from testkit.slack_api import StoredMessage
from testkit.slack_harness import (
    APPROVAL_CHANNEL,
    APPROVER,
    ESCALATION_CHANNEL,
    OTHER_APPROVER,
    OUTSIDER,
    REQUESTER,
    TOKEN,
    SlackHarness,
    Started,
    slack_devhost,
)
from testkit.slack_requests import text_value


async def _still_waiting(slack: SlackHarness, started: Started) -> None:
    """Nothing was decided: read once the host has run everything the requests caused."""
    await slack.host.settle()
    status = await slack.host.get_status(started.instance_id)
    assert status is not None and status["runtimeStatus"] == "Running", status
    assert status["customStatus"]["stage"] == "waiting_for_approval"
    assert status["customStatus"]["invalidResponses"] == 0


def _shown_outcome_and_told(slack: SlackHarness, hook: str) -> tuple[dict, dict]:
    """A click on a settled request: the clicked message is rewritten to the outcome (no
    buttons), then the clicker is told why nothing changed."""
    shown, told = slack.responses_to(hook)
    assert shown["replace_original"] is True and buttons(shown["blocks"]) == [], shown
    assert told["response_type"] == "ephemeral" and told["replace_original"] is False, told
    return shown, told


async def test_an_approver_approves_and_the_buttons_are_replaced_at_once() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text()
        hook = slack.new_response_url()
        answer = await slack.click("approve_request", started.approval_id, user_id=APPROVER,
                                   message=started.message, response_url=hook)
        assert answer.status == 200

        (replaced,) = slack.responses_to(hook)  # within the ack: no buttons, the decision shown
        assert replaced["replace_original"] is True
        assert buttons(replaced["blocks"]) == [] and f"*Approved* by <@{APPROVER}>" in all_text(replaced["blocks"])

        status = await slack.host.wait_for_status(started.instance_id, "Completed")
        output = status["output"]
        assert output["status"] == "Approved"
        assert output["approval"]["approver"] == APPROVER.lower()
        assert output["approval"]["slackUserId"] == APPROVER

        original = slack.fake.message(started.message.channel, started.message.ts)
        assert original.updates >= 1 and buttons(original.blocks) == []
        assert f"*Approved* by <@{APPROVER}>" in all_text(original.blocks)
        (opened,) = slack.fake.calls_to("conversations.open")
        assert opened.args["users"] == REQUESTER
        (dm,) = [m for m in slack.fake.messages.values() if m.channel.startswith("D")]
        assert "approved" in dm.text.lower()


async def test_deny_asks_for_a_reason_and_records_it() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text()
        answer = await slack.click("deny_request", started.approval_id, user_id=APPROVER, message=started.message)
        assert answer.status == 200
        (opened,) = slack.fake.calls_to("views.open")
        view = opened.args["view"]
        assert view["callback_id"] == "deny_reason"
        metadata = json.loads(view["private_metadata"])
        assert metadata == {"approvalId": started.approval_id, "channel": APPROVAL_CHANNEL, "ts": started.message.ts}
        await _still_waiting(slack, started)

        blank = await slack.submit("deny_reason", {"reason": text_value("  ")}, user_id=APPROVER,
                                   private_metadata=view["private_metadata"])
        assert blank.json() == {"response_action": "errors", "errors": {"reason": "Give the requester a reason."}}
        await _still_waiting(slack, started)

        answer = await slack.submit("deny_reason", {"reason": text_value("Over budget for Q3")}, user_id=APPROVER,
                                    private_metadata=view["private_metadata"])
        assert (answer.status, answer.text) == (200, "")
        status = await slack.host.wait_for_status(started.instance_id, "Completed")
        assert status["output"]["status"] == "Denied"
        assert status["output"]["approval"]["comments"] == "Over budget for Q3"
        original = slack.fake.message(started.message.channel, started.message.ts)
        assert buttons(original.blocks) == []
        assert "*Denied* by" in all_text(original.blocks) and "Over budget for Q3" in all_text(original.blocks)


async def test_the_requester_cannot_decide_their_own_request() -> None:
    async with slack_devhost(approvers="") as slack:  # even when anyone may approve
        started = await slack.start_by_text(user_id=REQUESTER)
        for action in ("approve_request", "deny_request"):
            hook = slack.new_response_url()
            answer = await slack.click(action, started.approval_id, user_id=REQUESTER, response_url=hook)
            assert answer.status == 200
            (refusal,) = slack.responses_to(hook)
            assert refusal["response_type"] == "ephemeral" and "your own request" in refusal["text"]
        assert slack.fake.calls_to("views.open") == []
        await _still_waiting(slack, started)


async def test_someone_outside_the_approver_list_is_refused() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text()
        hook = slack.new_response_url()
        await slack.click("approve_request", started.approval_id, user_id=OUTSIDER, response_url=hook)
        (refusal,) = slack.responses_to(hook)
        assert "Only the designated approvers" in refusal["text"]
        await _still_waiting(slack, started)


async def test_an_empty_approver_list_lets_anyone_but_the_requester_approve() -> None:
    async with slack_devhost(approvers="") as slack:
        started = await slack.start_by_text()
        await slack.click("approve_request", started.approval_id, user_id=OUTSIDER)
        status = await slack.host.wait_for_status(started.instance_id, "Completed")
        assert status["output"]["approval"]["slackUserId"] == OUTSIDER


async def test_a_second_click_is_told_who_decided_first() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text()
        await slack.click("approve_request", started.approval_id, user_id=APPROVER)
        # right away (the outcome may still be being recorded) and after completion
        for _ in range(2):
            for action in ("approve_request", "deny_request"):
                hook = slack.new_response_url()
                await slack.click(action, started.approval_id, user_id=OTHER_APPROVER, response_url=hook)
                shown, answer = _shown_outcome_and_told(slack, hook)
                assert f"*Approved* by <@{APPROVER}>" in all_text(shown["blocks"])
                assert f"already *Approved* by <@{APPROVER}> at <!date^" in answer["text"]
            await slack.host.wait_for_status(started.instance_id, "Completed")
        assert slack.fake.calls_to("views.open") == []
        status = await slack.host.wait_for_status(started.instance_id, "Completed")
        assert status["output"]["approval"]["slackUserId"] == APPROVER


async def test_a_click_after_the_deadline_is_told_it_was_escalated() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text()
        await slack.host.advance(timedelta(minutes=11))
        await slack.host.wait_for_status(started.instance_id, "Completed")
        hook = slack.new_response_url()
        await slack.click("approve_request", started.approval_id, user_id=APPROVER, response_url=hook)
        shown, answer = _shown_outcome_and_told(slack, hook)
        assert "*Expired*" in all_text(shown["blocks"])
        assert "expired and was escalated" in answer["text"]
        status = await slack.host.wait_for_status(started.instance_id, "Completed")
        assert status["output"]["status"] == "Escalated"


async def test_a_click_while_the_escalation_is_being_sent_is_refused_and_the_message_ends_expired() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text()
        slack.fake.hang("chat.postMessage")  # the escalation post hangs: the workflow is mid-escalation
        advancing = asyncio.create_task(slack.host.advance(timedelta(minutes=11)))
        await slack.fake.wait_for(lambda fake: any(
            call.args.get("channel") == ESCALATION_CHANNEL for call in fake.calls_to("chat.postMessage")))

        hook = slack.new_response_url()
        await slack.click("approve_request", started.approval_id, user_id=APPROVER, response_url=hook)
        shown, reply = _shown_outcome_and_told(slack, hook)
        assert "*Expired*" in all_text(shown["blocks"]) and "expired and was escalated" in reply["text"]

        slack.fake.release()
        await advancing
        status = await slack.host.wait_for_status(started.instance_id, "Completed")
        assert status["output"]["status"] == "Escalated"
        original = slack.fake.message(started.message.channel, started.message.ts)
        assert buttons(original.blocks) == [] and "*Expired*" in all_text(original.blocks)


async def test_an_unknown_approval_id_gets_a_clear_answer() -> None:
    async with slack_devhost() as slack:
        for value in ("approval-" + "0" * 32, "not an id!"):
            hook = slack.new_response_url()
            answer = await slack.click("approve_request", value, user_id=APPROVER, response_url=hook)
            assert answer.status == 200
            (reply,) = slack.responses_to(hook)
            assert reply["response_type"] == "ephemeral"
            assert "can't find approval" in reply["text"] or "valid approval id" in reply["text"]


async def test_a_deny_form_submitted_after_someone_else_approved_changes_nothing() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text()
        await slack.click("deny_request", started.approval_id, user_id=OTHER_APPROVER, message=started.message)
        (opened,) = slack.fake.calls_to("views.open")
        await slack.click("approve_request", started.approval_id, user_id=APPROVER)
        await slack.host.wait_for_status(started.instance_id, "Completed")
        answer = await slack.submit("deny_reason", {"reason": text_value("Too late")}, user_id=OTHER_APPROVER,
                                    private_metadata=opened.args["view"]["private_metadata"])
        ack = answer.json()
        assert ack["response_action"] == "update"
        assert f"already *Approved* by <@{APPROVER}>" in all_text(ack["view"]["blocks"])
        status = await slack.host.wait_for_status(started.instance_id, "Completed")
        assert status["output"]["status"] == "Approved"


async def test_two_approvers_clicking_at_once_one_wins_and_the_other_is_told_who() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text()
        hooks = {APPROVER: slack.new_response_url(), OTHER_APPROVER: slack.new_response_url()}
        await asyncio.gather(*(
            slack.click("approve_request", started.approval_id, user_id=user, message=started.message,
                        response_url=hook)
            for user, hook in hooks.items()
        ))
        status = await slack.host.wait_for_status(started.instance_id, "Completed")
        winner = status["output"]["approval"]["slackUserId"]
        loser = OTHER_APPROVER if winner == APPROVER else APPROVER
        (won,) = slack.responses_to(hooks[winner])
        assert won["replace_original"] is True and f"by <@{winner}>" in all_text(won["blocks"])
        shown, lost = _shown_outcome_and_told(slack, hooks[loser])
        assert f"*Approved* by <@{winner}>" in all_text(shown["blocks"])
        assert f"already *Approved* by <@{winner}>" in lost["text"]


async def _stale_copy(slack: SlackHarness, started: Started) -> StoredMessage:
    """A second post of the request that the workflow never learnt about (as when the posting
    activity ran again after a crash and could not read the channel's history)."""
    client = AsyncWebClient(token=TOKEN, base_url=slack.fake.api_url)
    posted = await client.chat_postMessage(channel=APPROVAL_CHANNEL, text=started.message.text,
                                           blocks=started.message.blocks)
    return slack.fake.message(APPROVAL_CHANNEL, posted["ts"])


async def test_a_click_on_a_stale_copy_of_a_decided_request_takes_its_buttons_off() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text()
        copy = await _stale_copy(slack, started)
        await slack.click("approve_request", started.approval_id, user_id=APPROVER, message=started.message)
        await slack.host.wait_for_status(started.instance_id, "Completed")
        for action in ("approve_request", "deny_request"):
            hook = slack.new_response_url()
            await slack.click(action, started.approval_id, user_id=OTHER_APPROVER, message=copy, response_url=hook)
            shown, told = _shown_outcome_and_told(slack, hook)
            assert f"*Approved* by <@{APPROVER}>" in all_text(shown["blocks"])
            assert "already *Approved*" in told["text"]
        assert slack.fake.calls_to("views.open") == []


async def test_a_click_on_a_stale_copy_of_an_escalated_request_shows_it_expired() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text()
        copy = await _stale_copy(slack, started)
        await slack.host.advance(timedelta(minutes=11))
        await slack.host.wait_for_status(started.instance_id, "Completed")
        hook = slack.new_response_url()
        await slack.click("deny_request", started.approval_id, user_id=APPROVER, message=copy, response_url=hook)
        shown, told = _shown_outcome_and_told(slack, hook)
        assert "*Expired*" in all_text(shown["blocks"]) and "expired and was escalated" in told["text"]
        assert slack.fake.calls_to("views.open") == []


async def test_even_someone_who_may_not_decide_fixes_a_stale_copy_by_clicking_it() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text()
        copy = await _stale_copy(slack, started)
        await slack.click("approve_request", started.approval_id, user_id=APPROVER, message=started.message)
        await slack.host.wait_for_status(started.instance_id, "Completed")
        hook = slack.new_response_url()
        await slack.click("approve_request", started.approval_id, user_id=OUTSIDER, message=copy, response_url=hook)
        shown, told = _shown_outcome_and_told(slack, hook)
        assert f"*Approved* by <@{APPROVER}>" in all_text(shown["blocks"])
