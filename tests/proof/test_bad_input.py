"""Thousands of bad requests against every endpoint, and property tests over whole input spaces.

Every HTTP function of the app (human_interaction, approve, cancel, status), devhost's durable management
API and both Slack endpoints get malformed JSON and form bodies, wrong types, huge and empty
fields, unicode, forged and replayed signatures, unknown action and callback ids, and payloads
for unknown or finished approvals. None may answer 5xx or show a traceback, and none may change
the task hub (instances, history, queued events, timers, activities) or make the app write to
Slack. Unsigned or forged Slack requests get 401 and no reply of any kind.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.approvals import Decision, InvalidDecision
from testkit import slack_requests as slack
from testkit.slack_harness import APPROVER, SECRET, SlackHarness
from tests.proof.background import BackgroundHost, background_slack_host
from tests.proof.fuzz_corpus import SIGNED, BadRequest, Targets, any_bad_request
from tests.proof.hub import snapshot
from tests.proof.sizing import scaled, seeded_random

pytestmark = pytest.mark.timeout(300)

FUZZ_REQUESTS = scaled(5000, minimum=100)
EXAMPLES = scaled(100, minimum=10)
CONCURRENCY = 16
# Calls through which the app changes something in Slack (replies to response_url are only
# ever ephemeral answers to the person who clicked, and are checked separately).
WRITES = ("chat.postMessage", "chat.update", "chat.delete", "views.open", "views.update", "views.push",
          "conversations.open")
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "Exception:", "Error:\n")


@pytest.fixture(scope="module")
def app() -> Iterator[tuple[BackgroundHost, Targets]]:
    with background_slack_host() as app:
        yield app, app.run(_three_approvals)


async def _three_approvals(s: SlackHarness) -> Targets:
    escalated = await s.start_by_text("300 Escalated one")
    await s.host.advance(timedelta(minutes=11))
    await s.host.wait_for_status(escalated.instance_id, "Completed")
    approved = await s.start_by_text("200 Approved one")
    await s.click("approve_request", approved.approval_id, user_id=APPROVER, message=approved.message)
    await s.host.wait_for_status(approved.instance_id, "Completed")
    waiting = await s.start_by_text("100 Waiting one")
    await s.host.settle()
    return Targets(waiting.instance_id, approved.instance_id, escalated.instance_id,
                   (waiting.message.channel, waiting.message.ts), s.fake.response_url("fuzz"))


def _state(s: SlackHarness) -> dict[str, Any]:
    return {**snapshot(s.host.db_path), "slack writes": Counter(c.method for c in s.fake.calls if c.method in WRITES)}


def _problems(request: BadRequest, status: int, text: str) -> list[str]:
    found = []
    if status >= 500:
        found.append(f"{status}")
    if any(marker in text for marker in TRACEBACK_MARKERS):
        found.append("traceback text")
    if status in (201, 202):
        found.append(f"{status}: accepted")
    if request.trust != SIGNED and status != 401:
        found.append(f"{status} for an unsigned/forged Slack request")
    # (A request line over 8 KiB is refused by the HTTP server itself before any function runs.)
    if request.path.startswith("/api/") and not request.path.startswith("/api/slack") and 400 <= status < 500 \
            and status not in (404, 405) and not text.startswith("Got more than 8190 bytes"):
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if not (isinstance(body, dict) and any(isinstance(v, str) and v for v in body.values())):
            found.append(f"{status} without a JSON message")
    return [f"{request.label}: {p} -> {text[:160]!r} for {request.method} {request.path[:80]} "
            f"{request.body[:120]!r}" for p in found]


async def _send(s: SlackHarness, request: BadRequest) -> tuple[int, str]:
    async with s.session.request(request.method, f"{s.host.base_url}{request.path}", data=request.body,
                                 headers=request.headers) as response:
        return response.status, await response.text()


def test_thousands_of_bad_requests_get_clear_4xx_answers_and_change_nothing(
        app: tuple[BackgroundHost, Targets]) -> None:
    host, targets = app
    rng = seeded_random("fuzz")
    requests = [any_bad_request(rng, targets) for _ in range(FUZZ_REQUESTS)]

    async def run(s: SlackHarness) -> tuple[list[str], Counter, dict, dict, int]:
        await s.host.settle()
        before, replies_before = _state(s), len(s.fake.calls_to("response_url"))
        problems: list[str] = []
        statuses: Counter = Counter()
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(request: BadRequest) -> None:
            async with limit:
                status, text = await _send(s, request)
            statuses[status] += 1
            problems.extend(_problems(request, status, text))

        unsigned = [r for r in requests if r.trust != SIGNED]
        await asyncio.gather(*(one(r) for r in unsigned))
        await s.host.settle()
        replies_after_unsigned = len(s.fake.calls_to("response_url"))
        if replies_after_unsigned != replies_before:
            problems.append(f"unsigned requests caused {replies_after_unsigned - replies_before} Slack replies")
        await asyncio.gather(*(one(r) for r in requests if r.trust == SIGNED))
        await s.host.settle()
        return problems, statuses, before, _state(s), len(unsigned)

    problems, statuses, before, after, unsigned = host.run(run, timeout=280)
    labels = Counter(r.label.split(":")[0] for r in requests)
    print(f"fuzzed {len(requests)} requests ({unsigned} unsigned or forged) over {len(labels)} kinds; "
          f"statuses {dict(sorted(statuses.items()))}; problems {len(problems)}")
    assert not problems, "\n".join(problems[:15])
    assert after == before, "bad requests changed state"


# --- property tests ---------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=300),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4),
    max_leaves=12,
)
start_fields = st.sampled_from(["request_type", "amount", "timeout_minutes", "timeout_seconds", "requester",
                                "description", "requester_slack_id", "extra"])
PROPERTY_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(body=st.dictionaries(start_fields, json_values, max_size=6) | json_values)
def test_any_start_body_either_starts_exactly_one_request_or_is_a_400_that_starts_nothing(
        app: tuple[BackgroundHost, Targets], body: Any) -> None:
    host, _ = app

    async def run(s: SlackHarness) -> tuple[int, str, int]:
        await s.host.settle()
        before = len(snapshot(s.host.db_path)["instances"])
        async with s.session.post(f"{s.host.base_url}/api/human_interaction", json=body) as response:
            status, text = response.status, await response.text()
        await s.host.settle()
        return status, text, len(snapshot(s.host.db_path)["instances"]) - before

    status, text, started = host.run(run)
    assert status in (202, 400), (status, text)
    assert "Traceback" not in text
    assert started == (1 if status == 202 else 0), (status, text, started)
    if status == 400:
        assert isinstance(json.loads(text).get("error") or json.loads(text).get("message"), str), text


@PROPERTY_SETTINGS
@given(body=st.dictionaries(st.sampled_from(["approved", "approver", "comments", "slackUserId", "x"]),
                            json_values, max_size=4) | json_values)
def test_an_invalid_decision_body_is_a_400_and_raises_nothing(app: tuple[BackgroundHost, Targets], body: Any) -> None:
    try:
        Decision.from_payload(body)
        assume(False)  # a valid decision would decide the waiting request; covered elsewhere
    except InvalidDecision:
        pass
    host, targets = app

    async def run(s: SlackHarness) -> tuple[int, str, dict, dict]:
        await s.host.settle()
        before = _state(s)
        async with s.session.post(f"{s.host.base_url}/api/approve/approval-{targets.waiting}", json=body) as r:
            status, text = r.status, await r.text()
        await s.host.settle()
        return status, text, before, _state(s)

    status, text, before, after = host.run(run)
    assert status == 400 and "Traceback" not in text, (status, text)
    assert after == before


@PROPERTY_SETTINGS
@given(payload=json_values, action_id=st.text(max_size=40) | st.sampled_from(["approve_request", "deny_request"]),
       value=st.text(max_size=80), user_id=st.text(max_size=20) | st.sampled_from(["UREQ1", "UOUTSIDE"]))
def test_a_signed_click_that_is_not_a_valid_decision_changes_nothing(
        app: tuple[BackgroundHost, Targets], payload: Any, action_id: str, value: str, user_id: str) -> None:
    host, targets = app
    assume(not (action_id in ("approve_request", "deny_request") and value.strip() in
                (targets.waiting, f"approval-{targets.waiting}") and user_id in ("UAPPR1", "UAPPR2")))
    click = slack.button_click(action_id, value, user_id=user_id, response_url=targets.response_url)
    click["actions"][0]["extra"] = payload

    async def run(s: SlackHarness) -> tuple[int, str, dict, dict]:
        await s.host.settle()
        before = _state(s)
        answer = await s.post_signed("/api/slack/interactions", slack.interaction_body(click))
        await s.host.settle()
        return answer.status, answer.text, before, _state(s)

    status, text, before, after = host.run(run)
    assert status < 500 and "Traceback" not in text, (status, text)
    assert after == before


@PROPERTY_SETTINGS
@given(body=st.binary(max_size=400) | st.text(max_size=400).map(str.encode),
       timestamp=st.integers(min_value=-10**12, max_value=10**12) | st.none(),
       signature=st.text(max_size=80) | st.none())
def test_anything_without_a_valid_signature_is_a_401_and_changes_nothing(
        app: tuple[BackgroundHost, Targets], body: bytes, timestamp: int | None, signature: str | None) -> None:
    host, _ = app
    headers = {"content-type": "application/x-www-form-urlencoded"}
    if timestamp is not None:
        headers["x-slack-request-timestamp"] = str(timestamp)
    if signature is not None:
        headers["x-slack-signature"] = "".join(c for c in signature if c.isprintable() and c.isascii())

    async def run(s: SlackHarness) -> tuple[list[tuple[int, str]], dict, dict, int]:
        await s.host.settle()
        before, replies = _state(s), len(s.fake.calls_to("response_url"))
        answers = []
        for path in ("/api/slack/commands", "/api/slack/interactions"):
            answer = await s.post(path, body.decode("latin-1"), headers)
            answers.append((answer.status, answer.text))
        await s.host.settle()
        return answers, before, _state(s), len(s.fake.calls_to("response_url")) - replies

    answers, before, after, replies = host.run(run)
    assert all(status == 401 and "Traceback" not in text for status, text in answers), answers
    assert after == before and replies == 0


def test_a_replayed_signed_request_older_than_five_minutes_is_refused(app: tuple[BackgroundHost, Targets]) -> None:
    """A signed Approve captured by an attacker and replayed later: Slack's signature includes the
    timestamp, so the replay is stale and refused, and the waiting request stays undecided."""
    host, targets = app
    body = slack.interaction_body(slack.button_click("approve_request", f"approval-{targets.waiting}",
                                                     user_id=APPROVER, response_url=targets.response_url))
    captured = slack.signed_headers(SECRET, body, timestamp=int(time.time()) - 301)

    async def run(s: SlackHarness) -> tuple[int, dict, dict]:
        await s.host.settle()
        before = _state(s)
        answer = await s.post("/api/slack/interactions", body, captured)
        await s.host.settle()
        return answer.status, before, _state(s)

    status, before, after = host.run(run)
    assert status == 401 and after == before
