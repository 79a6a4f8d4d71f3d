"""`/expense` as Slack really sends it: escaped text, and the same command typed again."""

from __future__ import annotations

from testkit.blockkit import all_text
from testkit.slack_harness import REQUESTER, slack_devhost


async def test_text_is_shown_as_typed_neither_double_escaped_nor_live() -> None:
    async with slack_devhost() as slack:
        # Slack sends & < > as entities; with should_escape false a mention arrives as typed.
        started = await slack.start_by_text("120 Fish &amp; chips &lt;!channel&gt; for @bob")
        status = await slack.host.get_status(started.instance_id)
        assert '"description": "Fish & chips <!channel> for @bob"' in status["input"]
        shown = all_text(started.message.blocks)
        assert ">Fish &amp; chips &lt;!channel&gt; for @bob" in shown
        assert "&amp;amp;" not in shown and "<!channel>" not in shown + started.message.text


async def test_the_same_command_again_within_a_minute_gets_the_first_request_back() -> None:
    async with slack_devhost() as slack:
        first = await slack.start_by_text("75 Taxi to the airport")
        again = await slack.command("75   taxi to the airport")
        assert again.status == 200
        assert first.approval_id in again.text and "already" in all_text(again.json()["blocks"])
        await slack.host.settle()
        assert len(await slack.host.client.get_status_all()) == 1
        assert len(slack.fake.messages_in("CAPPROVE")) == 1

        other = await slack.command("76 Taxi to the airport")
        assert other.status == 200 and first.approval_id not in other.text
        someone_else = await slack.command("75 Taxi to the airport", user_id=REQUESTER + "X")
        assert first.approval_id not in someone_else.text
        await slack.host.settle()
        assert len(await slack.host.client.get_status_all()) == 3
