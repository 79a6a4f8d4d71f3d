"""Several hundred requests at once through the Slack endpoints: started by /expense, then
approved, denied (Deny, the reason form, its submission) or left to time out, all concurrently."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from testkit.slack_harness import APPROVER, OTHER_APPROVER, SlackHarness, slack_devhost
from testkit.slack_requests import text_value
from tests.proof.outcomes import judge
from tests.proof.sizing import scaled, seeded_random
from tests.proof.slack_view import APPROVED, DENIED, ESCALATED

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

REQUESTS = scaled(300, minimum=9)
CONCURRENCY = 50


async def _limited(jobs: list, limit: int = CONCURRENCY) -> list:
    gate = asyncio.Semaphore(limit)

    async def one(job):
        async with gate:
            return await job

    return await asyncio.gather(*(one(job) for job in jobs))


async def _deny(slack: SlackHarness, started, reason: str) -> None:
    answer = await slack.click("deny_request", started.approval_id, user_id=OTHER_APPROVER, message=started.message)
    assert answer.status == 200, answer
    opened = [call for call in slack.fake.calls_to("views.open")
              if json.loads(call.args["view"]["private_metadata"])["approvalId"] == started.approval_id]
    assert len(opened) == 1, f"{len(opened)} deny forms for {started.approval_id}"
    answer = await slack.submit("deny_reason", {"reason": text_value(reason)}, user_id=OTHER_APPROVER,
                                private_metadata=opened[0].args["view"]["private_metadata"])
    assert (answer.status, answer.text) == (200, ""), answer


async def test_hundreds_of_concurrent_requests_all_end_in_the_right_state() -> None:
    rng = seeded_random("load")
    async with slack_devhost() as slack:
        started = await _limited([slack.start_by_text(f"{rng.randint(1, 99999)} Load {i}") for i in range(REQUESTS)])
        fates = {s.instance_id: rng.choice([APPROVED, DENIED, ESCALATED]) for s in started}
        hooks: dict[str, tuple[str, str]] = {}

        async def decide(s) -> None:
            if fates[s.instance_id] == APPROVED:
                hook = slack.new_response_url()
                hooks[hook.removeprefix(slack.fake.base_url)] = (s.message.channel, s.message.ts)
                answer = await slack.click("approve_request", s.approval_id, user_id=APPROVER, message=s.message,
                                           response_url=hook)
                assert answer.status == 200, answer
            elif fates[s.instance_id] == DENIED:
                await _deny(slack, s, f"No ({s.instance_id})")

        await _limited([decide(s) for s in started])
        await slack.host.settle()
        await slack.host.advance(timedelta(minutes=11))
        verdict = judge(slack, fates, hooks)
    counts = {fate: list(fates.values()).count(fate) for fate in (APPROVED, DENIED, ESCALATED)}
    print(f"{REQUESTS} concurrent requests {counts}: {verdict.summary()}")
    verdict.assert_clean()
