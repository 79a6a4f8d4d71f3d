"""Under a policy, Slack's notifier against the recording fake: the tier's channel, stage notes and
reminders in the request's thread, each once however often its activity runs."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.approvals import ApprovalRequest
from bot.config import SlackSettings
from bot.policy.model import Approvers, Route, Step
from bot.slack.notifier import Notifier
from bot.workflow.progress import Progress
from testkit.blockkit import all_text, buttons
from testkit.slack_api import FakeSlackApi

TOKEN = "xoxb-policy"
DEADLINE = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
APPROVAL_ID = "approval-" + "b" * 32
ROUTE = Route("p", "finance", "over $1,000: finance", (
    Step("manager", Approvers({"slack": ("UBOB",)}), 600),
    Step("finance", Approvers({"slack": ("UCAROL", "SFIN")}), 600),
), channels={"slack": "CFINANCE"}, reminders=(0.5,))
REQUEST = ApprovalRequest(amount=5000.0, requester="alice", description="Laptops", timeout_seconds=600, route=ROUTE)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi(token=TOKEN) as fake:
        yield fake


def slack(fake: FakeSlackApi) -> Notifier:
    return Notifier(SlackSettings(TOKEN, "secret", fake.api_url, "CAPPROVE", "CESCALATE", frozenset()))


async def test_the_request_goes_to_the_tiers_channel_and_says_which_tier_and_why(fake: FakeSlackApi) -> None:
    posted = await slack(fake).post_request(APPROVAL_ID, REQUEST, DEADLINE)
    assert posted["channel"] == "CFINANCE"
    text = all_text(fake.message("CFINANCE", posted["ts"]).blocks)
    assert "over $1,000: finance" in text
    assert "*manager*: waiting for <@UBOB>" in text and "*finance*: after that" in text


async def test_a_reminder_is_posted_once_in_the_thread_however_often_it_runs(fake: FakeSlackApi) -> None:
    posted = await slack(fake).post_request(APPROVAL_ID, REQUEST, DEADLINE)
    progress = Progress(ROUTE, 1, DEADLINE)
    for _ in range(3):  # the activity re-run after a crash
        await slack(fake).remind(APPROVAL_ID, REQUEST, progress, 1, posted)
    await slack(fake).remind(APPROVAL_ID, REQUEST, progress, 2, posted)
    replies = fake.replies_to("CFINANCE", posted["ts"])
    assert [r.text.startswith("Reminder") for r in replies] == [True, True]
    assert "<@UCAROL> <!subteam^SFIN>" in all_text(replies[0].blocks)
    assert fake.messages_in("CFINANCE") == [fake.message("CFINANCE", posted["ts"])], "replies stay in the thread"


async def test_a_stage_opening_updates_the_card_and_mentions_the_next_approvers_once(fake: FakeSlackApi) -> None:
    posted = await slack(fake).post_request(APPROVAL_ID, REQUEST, DEADLINE)
    progress = Progress(ROUTE, 1, DEADLINE, ())
    await slack(fake).advance_stage(APPROVAL_ID, REQUEST, progress, posted)
    await slack(fake).advance_stage(APPROVAL_ID, REQUEST, progress, posted)
    card = fake.message("CFINANCE", posted["ts"])
    assert "*finance*: waiting for <@UCAROL>" in all_text(card.blocks)
    assert [b["text"]["text"] for b in buttons(card.blocks)] == ["Approve", "Deny"]
    [note] = fake.replies_to("CFINANCE", posted["ts"])
    assert "Stage *finance* now needs <@UCAROL> <!subteam^SFIN>" in all_text(note.blocks)
