"""Nobody answered: senior management hears about it, the original says so, the requester too."""

from datetime import timedelta

from testkit.blockkit import all_text, buttons
from testkit.slack_harness import APPROVAL_CHANNEL, ESCALATION_CHANNEL, REQUESTER, slack_devhost


async def test_the_deadline_escalates_to_senior_management_with_a_link_to_the_request() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text("5000 Conference attendance")
        await slack.host.advance(timedelta(minutes=9))
        assert slack.fake.messages_in(ESCALATION_CHANNEL) == []

        await slack.host.advance(timedelta(minutes=2))
        status = await slack.host.wait_for_status(started.instance_id, "Completed")
        assert status["output"]["status"] == "Escalated"
        assert status["output"]["timeoutMinutes"] == 10

        (escalation,) = slack.fake.messages_in(ESCALATION_CHANNEL)
        text = all_text(escalation.blocks)
        assert "No response within timeout period" in text and "$5,000.00" in text
        assert "Conference attendance" in text and f"<@{REQUESTER}>" in text
        permalink = status["customStatus"]["message"]["permalink"]
        assert f"<{permalink}|View the original request>" in text
        assert buttons(escalation.blocks) == []

        original = slack.fake.message(APPROVAL_CHANNEL, started.message.ts)
        assert buttons(original.blocks) == [] and "*Expired*" in all_text(original.blocks)
        dms = [m for m in slack.fake.messages.values() if m.channel.startswith("D")]
        assert len(dms) == 1 and "escalated to senior management" in all_text(dms[0].blocks)
        assert slack.fake.calls_to("conversations.open")[0].args["users"] == REQUESTER
