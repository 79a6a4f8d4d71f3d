"""Slack's Web API misbehaving at random: a share of calls answer 429 (with Retry-After), 500, or
never answer. Every approval still ends as decided; when Slack fails for good, the instance ends
visibly with the error, never stuck Running."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from testkit.slack_api import Failure, FakeSlackApi
from testkit.slack_harness import APPROVER, SlackHarness, slack_devhost
from testkit.slack_requests import text_value
from tests.proof.hub import statuses
from tests.proof.outcomes import judge
from tests.proof.sizing import scaled, seeded_random
from tests.proof.slack_view import APPROVED, DENIED, ESCALATED

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

APPROVALS = scaled(60, minimum=6)
FAILURE_SHARE = 0.25  # of Web API calls made by the activities
TERMINAL = ("Completed", "Failed", "Terminated")


class RandomFailures:
    """Makes the recording fake fail a random share of Web API calls: 429, 500 or a hang."""

    def __init__(self, rng: random.Random, share: float) -> None:
        self.rng, self.share = rng, share
        self.injected: dict[str, int] = {"429": 0, "500": 0, "hang": 0}
        self.fake: FakeSlackApi | None = None

    def install(self, fake: FakeSlackApi) -> None:
        self.fake = fake
        planned_failure = fake._take_failure

        def take_failure(method: str) -> Failure | None:
            planned = planned_failure(method)
            # auth.test is Bolt's own once-per-process check on the ack path, tested separately below
            if planned is not None or method == "auth.test" or self.rng.random() >= self.share:
                return planned
            kind = self.rng.choices(["429", "500", "hang"], weights=[45, 45, 10])[0]
            self.injected[kind] += 1
            if kind == "429":
                return Failure(429, "ratelimited", retry_after=self.rng.choice([0, 1]), remaining=None)
            if kind == "500":
                return Failure(500, "internal_error", retry_after=None, remaining=None)
            return Failure(0, "", None, None, hang=True)

        fake._take_failure = take_failure  # type: ignore[method-assign]


async def _drive(slack: SlackHarness, done: Callable[[], bool], *, step: timedelta = timedelta(seconds=3), steps: int = 200) -> None:
    """Move the virtual clock in small steps (durable retries are 2 s apart) until done()."""
    for _ in range(steps):
        await slack.host.settle()
        if done():
            return
        await slack.host.advance(step)


def _all(slack: SlackHarness, ids: list[str], predicate: Callable[..., bool]) -> bool:
    rows = statuses(slack.host.db_path)
    return all(iid in rows and predicate(*rows[iid]) for iid in ids)


def _posted_or_failed(runtime: str, output: Any, custom: Any) -> bool:
    custom = custom or {}
    return runtime in TERMINAL or custom.get("message") is not None or "notificationError" in custom


async def test_every_approval_completes_correctly_while_slack_fails_a_quarter_of_its_calls() -> None:
    rng = seeded_random("flaky slack")
    failures = RandomFailures(random.Random(rng.random()), FAILURE_SHARE)
    async with slack_devhost(before_start=failures.install) as slack:
        answers = await asyncio.gather(*(slack.command(f"{100 + i} Flaky {i}") for i in range(APPROVALS)))
        ids = [a.text.split("approval-")[1][:32] for a in answers]
        await _drive(slack, lambda: _all(slack, ids, _posted_or_failed))
        rows = statuses(slack.host.db_path)
        fates: dict[str, str] = {}
        for iid in ids:
            fate = rng.choice([APPROVED, DENIED, ESCALATED])
            fates[iid] = fate
            message = (rows[iid][2] or {}).get("message") or {"channel": "CAPPROVE", "ts": "0"}
            if fate == APPROVED:
                answer = await slack.click("approve_request", f"approval-{iid}", user_id=APPROVER)
            elif fate == DENIED:
                answer = await slack.submit(
                    "deny_reason", {"reason": text_value("No")}, user_id=APPROVER,
                    private_metadata=json.dumps({"approvalId": f"approval-{iid}", "channel": message["channel"],
                                                 "ts": message["ts"]}))
            else:
                continue
            assert answer.status == 200
        await _drive(slack, lambda: _all(slack, [i for i in ids if fates[i] != ESCALATED],
                                         lambda runtime, *_: runtime in TERMINAL))
        await slack.host.advance(timedelta(minutes=11))
        await _drive(slack, lambda: _all(slack, ids, lambda runtime, *_: runtime in TERMINAL))
        failures.share = 0.0  # so the final read of calls is stable
        verdict = judge(slack, fates, retried=True)
        errors = [iid for iid in ids if "notificationError" in (statuses(slack.host.db_path)[iid][1] or {})]
        calls = len(slack.fake.calls)
    print(f"{APPROVALS} approvals, injected failures {failures.injected} of {calls} calls: "
          f"{verdict.summary()}; ended with a Slack error on record {len(errors)}")
    verdict.assert_clean()
    assert not errors


@pytest.mark.parametrize("failure", ["500", "429"])
async def test_a_slack_that_never_recovers_ends_each_instance_visibly_never_stuck_running(failure: str) -> None:
    def broken(fake: FakeSlackApi) -> None:
        for method in ("chat.postMessage", "chat.update", "chat.getPermalink", "conversations.open",
                       "users.lookupByEmail"):
            if failure == "500":
                fake.fail(method, status=500, times=None)
            else:
                fake.rate_limit(method, retry_after=0, times=10**9)

    async with slack_devhost(before_start=broken) as slack:
        answers = await asyncio.gather(*(slack.command(f"{100 + i} Doomed {i}") for i in range(3)))
        ids = [a.text.split("approval-")[1][:32] for a in answers]
        await _drive(slack, lambda: _all(slack, ids, _posted_or_failed))
        await slack.click("approve_request", f"approval-{ids[0]}", user_id=APPROVER)
        await slack.host.advance(timedelta(minutes=11))
        await _drive(slack, lambda: _all(slack, ids, lambda runtime, *_: runtime in TERMINAL))
        rows = statuses(slack.host.db_path)
    # No request could be posted, so every instance fails at its first activity, before any
    # outcome; the later click on the first one decides nothing.
    for iid in ids:
        runtime, output, custom = rows[iid]
        assert runtime == "Failed", f"{iid} ended {runtime}: {output}"
        assert (custom or {}).get("stage") == "sending_request" and "outcome" not in (custom or {}), custom
        shown = json.dumps(output) + json.dumps(custom)
        assert ("ratelimited" if failure == "429" else "internal_error") in shown, shown


async def test_a_slack_hiccup_on_the_first_auth_check_does_not_tell_people_to_reinstall_the_app() -> None:
    """Bolt's single-team check used to call auth.test on the first request a process served; a 500
    there told the person typing /expense to reinstall the app. Requests are now authorized from
    settings; this keeps it that way."""
    async with slack_devhost(before_start=lambda fake: fake.fail("auth.test", status=500, times=1)) as slack:
        answer = await slack.command("100 Team lunch")
    assert answer.status == 200
    assert "reinstall" not in answer.text.lower(), answer.text
