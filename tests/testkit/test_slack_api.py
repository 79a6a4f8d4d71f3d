"""The recording fake of Slack's Web API: a held call takes effect while its answer waits."""

from __future__ import annotations

import asyncio

import aiohttp

from testkit.slack_api import FakeSlackApi


async def _post(session: aiohttp.ClientSession, fake: FakeSlackApi, channel: str) -> dict:
    async with session.post(f"{fake.api_url}chat.postMessage", json={"channel": channel, "text": "hi"}) as answer:
        return await answer.json()


async def test_a_held_call_is_done_at_once_and_answered_only_when_released() -> None:
    async with FakeSlackApi() as fake, aiohttp.ClientSession() as session:
        held = fake.hold("chat.postMessage", where=lambda args: args.get("channel") == "CHELD", after=1)
        assert (await _post(session, fake, "CHELD"))["ok"]  # the first matching call goes through
        assert (await _post(session, fake, "COTHER"))["ok"]  # not matching: never held
        waiting = asyncio.ensure_future(_post(session, fake, "CHELD"))
        await asyncio.wait_for(held.arrived.wait(), 5)
        assert held.call is not None and held.call.args["channel"] == "CHELD"
        assert len(fake.messages_in("CHELD")) == 2  # Slack did the work ...
        assert not waiting.done()  # ... and the caller has not heard back
        held.release()
        assert (await asyncio.wait_for(waiting, 5))["ok"]
        assert (await _post(session, fake, "CHELD"))["ok"]  # one call held, then no more


async def test_a_held_call_is_answered_when_the_fake_stops() -> None:
    async with aiohttp.ClientSession() as session:
        async with FakeSlackApi() as fake:
            held = fake.hold("chat.postMessage")
            waiting = asyncio.ensure_future(_post(session, fake, "C1"))
            await asyncio.wait_for(held.arrived.wait(), 5)
        done, _ = await asyncio.wait([waiting], timeout=5)
        assert waiting in done  # answered or cut off with the server, never left hanging
