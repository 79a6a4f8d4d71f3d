"""Slack's rate limits, when the sandbox is asked for them: 429 with Retry-After, per tier and per channel."""

from __future__ import annotations

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from slack_sandbox.clock import ManualClock
from slack_sandbox.rate_limits import POST_BURST
from slack_sandbox.testing import PROJECT_MANIFEST, run_sandbox


async def raw_call(slack, method: str, **args) -> aiohttp.ClientResponse:
    async with aiohttp.ClientSession() as session, session.post(slack.api_url + method, data=args,
                            headers={"Authorization": f"Bearer {slack.sandbox.bot_token}"}) as response:
        await response.read()
        return response


async def test_posting_faster_than_once_a_second_in_one_channel_is_429_after_a_short_burst():
    clock = ManualClock()
    async with run_sandbox(manifest=PROJECT_MANIFEST, clock=clock, rate_limits=True) as slack:
        for n in range(POST_BURST):
            assert (await raw_call(slack, "chat.postMessage", channel="C0APPROVALS", text=f"m{n}")).status == 200
        limited = await raw_call(slack, "chat.postMessage", channel="C0APPROVALS", text="one too many")
        assert limited.status == 429 and limited.headers["Retry-After"] == "1"
        assert (await raw_call(slack, "chat.postMessage", channel="C0SENIORMGMT", text="elsewhere")).status == 200
        clock.advance(1)
        assert (await raw_call(slack, "chat.postMessage", channel="#expense-approvals", text="later")).status == 200
        assert [m.text for m in slack.messages("C0APPROVALS")] == [f"m{n}" for n in range(POST_BURST)] + ["later"]
        assert slack.api_log.calls[POST_BURST]["response"] == {"ok": False, "error": "ratelimited"}


async def test_a_tier_3_method_allows_about_50_calls_a_minute():
    clock = ManualClock()
    async with run_sandbox(manifest=PROJECT_MANIFEST, clock=clock, rate_limits=True) as slack:
        for _ in range(50):
            assert (await raw_call(slack, "conversations.history", channel="C0APPROVALS")).status == 200
        limited = await raw_call(slack, "conversations.history", channel="C0APPROVALS")
        assert limited.status == 429 and limited.headers["Retry-After"] == "2"  # 50 a minute: one per 1.2 s
        assert (await raw_call(slack, "users.info", user="U0ALICE")).status == 200  # another method, another limit
        clock.advance(1.2)
        assert (await raw_call(slack, "conversations.history", channel="C0APPROVALS")).status == 200


async def test_without_the_option_nothing_is_limited():
    async with run_sandbox(manifest=PROJECT_MANIFEST, clock=ManualClock()) as slack:
        for n in range(60):
            assert (await raw_call(slack, "chat.postMessage", channel="C0APPROVALS", text=f"m{n}")).status == 200


async def test_a_burst_through_slack_sdks_retry_handler_arrives_complete_in_order_once():
    async with run_sandbox(manifest=PROJECT_MANIFEST, rate_limits=True) as slack:
        client = AsyncWebClient(token=slack.sandbox.bot_token, base_url=slack.api_url,
                                retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)])
        sent = [f"request {n}" for n in range(POST_BURST + 2)]
        for text in sent:
            await client.chat_postMessage(channel="C0APPROVALS", text=text)
        assert [m.text for m in slack.messages("C0APPROVALS")] == sent
        assert sum(1 for c in slack.api_log.of("chat.postMessage") if c["response"]["ok"] is False) >= 1
