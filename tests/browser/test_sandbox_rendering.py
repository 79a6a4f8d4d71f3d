"""What the page renders by itself: Block Kit, mrkdwn, dates in the viewer's timezone, live updates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.async_api import expect
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.web.async_client import AsyncWebClient

pytestmark = [pytest.mark.browser, pytest.mark.asyncio]

# 2026-03-02 17:30 UTC: 12:30 PM in New York, 5:30 PM in London.
WHEN = int(datetime(2026, 3, 2, 17, 30, tzinfo=UTC).timestamp())


def client_for(slack) -> AsyncWebClient:
    return AsyncWebClient(token=slack.sandbox.bot_token, base_url=slack.api_url)


async def test_block_kit_and_mrkdwn_render(lone_ui, lone_slack):
    await lone_ui.open_as("U0BOB")
    await client_for(lone_slack).chat_postMessage(channel="C0APPROVALS", text="fallback", blocks=[
        HeaderBlock(text="Quarterly review"),
        SectionBlock(text=MarkdownTextObject(text="*bold* _italic_ `code` <https://example.com|a link> for <@U0ALICE>"),
                     fields=[MarkdownTextObject(text="*Amount*\n$5.00"), MarkdownTextObject(text="*Who*\n<@U0DANA>")]),
        DividerBlock(),
        ContextBlock(elements=[MarkdownTextObject(text="small print :white_check_mark:")]),
        ActionsBlock(elements=[ButtonElement(text="Go", action_id="go", style="primary"),
                               ButtonElement(text="Stop", action_id="stop", style="danger")]),
    ])
    message = lone_ui.message("Quarterly review")
    await expect(message.get_by_role("heading", name="Quarterly review")).to_be_visible()
    await expect(message.locator("strong", has_text="bold")).to_be_visible()
    await expect(message.locator("em", has_text="italic")).to_be_visible()
    await expect(message.locator("code", has_text="code")).to_be_visible()
    await expect(message.get_by_role("link", name="a link")).to_have_attribute("href", "https://example.com")
    await expect(message.locator(".mention", has_text="@Alice Johnson")).to_be_visible()
    await expect(message.locator(".bk-field", has_text="Dana Lee")).to_be_visible()
    await expect(message.locator("hr")).to_have_count(1)
    await expect(message.locator(".bk-context")).to_contain_text("small print ✅")
    await expect(message.get_by_role("button", name="Go")).to_have_class("bk-button bk-primary")
    await expect(message.get_by_role("button", name="Stop")).to_have_class("bk-button bk-danger")


async def test_dates_show_in_each_viewers_timezone(lone_ui, lone_slack):
    await client_for(lone_slack).chat_postMessage(
        channel="C0APPROVALS", text=f"Decide by <!date^{WHEN}^{{date_short}} at {{time}}|2 March 2026>")
    await lone_ui.open_as("U0ALICE")
    await expect(lone_ui.message("Decide by")).to_contain_text("Decide by Mar 2, 2026 at 12:30 PM")
    await lone_ui.switch_to("U0BOB")
    await expect(lone_ui.message("Decide by")).to_contain_text("Decide by Mar 2, 2026 at 5:30 PM")


async def test_changes_arrive_without_reloading(lone_ui, lone_slack):
    await lone_ui.open_as("U0BOB")
    client = client_for(lone_slack)
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="Pending decision")
    await expect(lone_ui.message("Pending decision")).to_be_visible()
    await client.chat_update(channel="C0APPROVALS", ts=posted["ts"], text="Decided")
    await expect(lone_ui.message("Decided")).to_contain_text("(edited)")
    await client.chat_postMessage(channel="C0SENIORMGMT", text="Elsewhere")
    await expect(lone_ui.page.locator(".nav-item.unread", has_text="senior-management")).to_be_visible()


async def test_plain_messages_and_unknown_commands(lone_ui, lone_slack):
    await lone_ui.open_as("U0CAROL")
    await lone_ui.send("hello team")
    await expect(lone_ui.message("hello team")).to_contain_text("Carol Diaz")
    await lone_ui.send("/nope")
    await expect(lone_ui.ephemeral("not a valid command")).to_be_visible()


@pytest.mark.parametrize("token, shown", [
    ("<!date^1e20^{date}|x>", "x"),
    ("<!date^99999999999999^{date}>", "<!date^99999999999999^{date}>"),
    ("<!date^12^{date}^javascript:alert(1)|soon>", "January 1st, 1970"),
])
async def test_a_token_that_cannot_render_shows_as_text_and_later_messages_still_render(
        lone_ui, lone_slack, token, shown):
    await lone_ui.open_as("U0BOB")
    client = client_for(lone_slack)
    await client.chat_postMessage(channel="C0APPROVALS", text=f"before {token} after")
    await client.chat_postMessage(channel="C0APPROVALS", text="*the next request*")
    await expect(lone_ui.message("the next request").locator("strong")).to_have_text("the next request")
    await expect(lone_ui.message("before")).to_contain_text(f"before {shown} after")
    await lone_ui.switch_to("U0ALICE")  # a fresh render of the whole channel, for someone else
    await expect(lone_ui.message("the next request").locator("strong")).to_be_visible()
