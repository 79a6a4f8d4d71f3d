"""Size limits Slack puts on messages: text for chat.update, the text blocks carry in all."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError


async def error_of(call) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response["error"]


def sections(count: int, chars: int) -> list[dict]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * chars}} for _ in range(count)]


async def test_update_text_stops_at_4000_characters_though_a_post_may_be_longer(client, slack):
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="y" * 5_000)
    assert await error_of(client.chat_update(channel="C0APPROVALS", ts=posted["ts"], text="z" * 4_001)) \
        == "msg_too_long"
    assert slack.workspace.find("C0APPROVALS", posted["ts"]).text == "y" * 5_000
    await client.chat_update(channel="C0APPROVALS", ts=posted["ts"], text="z" * 4_000)
    assert slack.workspace.find("C0APPROVALS", posted["ts"]).text == "z" * 4_000


async def test_blocks_carrying_too_much_text_in_all_are_msg_blocks_too_long(client, slack):
    # Each section is within its own 3,000-character limit; together they are too much.
    assert await error_of(client.chat_postMessage(channel="C0APPROVALS", text="t", blocks=sections(5, 2_700))) \
        == "msg_blocks_too_long"
    assert slack.messages("C0APPROVALS") == []
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="t", blocks=sections(4, 2_700))
    assert await error_of(client.chat_update(channel="C0APPROVALS", ts=posted["ts"], text="t",
                                             blocks=sections(5, 2_700))) == "msg_blocks_too_long"
    assert len(slack.workspace.find("C0APPROVALS", posted["ts"]).blocks) == 4
