"""What the Slack endpoints spend their 3 seconds on: no new connection per answer."""

from testkit.slack_harness import APPROVER, OTHER_APPROVER, slack_devhost


async def test_answers_to_clicks_reuse_one_connection_to_slack() -> None:
    """Each response_url post used to open its own HTTP session and connection."""
    async with slack_devhost() as slack:
        first, second = await slack.start_by_text("10 Pens"), await slack.start_by_text("20 Paper")
        await slack.click("approve_request", first.approval_id, user_id=APPROVER, message=first.message)
        await slack.click("approve_request", first.approval_id, user_id=OTHER_APPROVER, message=first.message)
        await slack.click("approve_request", second.approval_id, user_id=APPROVER, message=second.message)
        answers = slack.fake.calls_to("response_url")
        assert len(answers) == 4  # the decision, the outcome on the clicked copy + "already", the decision
        assert len({call.peer for call in answers}) == 1, [call.peer for call in answers]
