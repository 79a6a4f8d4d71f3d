"""The Slack endpoint before any listener runs: settings, signatures and malformed bodies."""

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.slack.endpoint import handle_slack_request
from testkit.slack_api import FakeSlackApi
from testkit.slack_requests import interaction_body, signed_headers, slash_command_body

SECRET = "endpoint-test-secret"
TOKEN = "xoxb-endpoint-test"


@pytest.fixture
async def fake_slack(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi(token=TOKEN) as fake:
        for name, value in {
            "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
            "APPROVAL_CHANNEL": "CAPPROVE", "ESCALATION_CHANNEL": "CESCALATE",
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("APPROVER_USER_IDS", raising=False)
        yield fake


async def _post(body: str, headers: dict[str, str]) -> Any:
    return await handle_slack_request(body.encode(), headers, {}, durable_client=None)


async def test_without_a_token_the_endpoint_answers_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    response = await _post("x=1", {})
    assert response.status == 503 and "not configured" in json.loads(response.body)["error"]


async def test_a_misconfigured_setting_is_named_in_the_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("APPROVAL_CHANNEL", "CAPPROVE")
    monkeypatch.delenv("ESCALATION_CHANNEL", raising=False)
    response = await _post("x=1", {})
    assert response.status == 503 and "ESCALATION_CHANNEL" in json.loads(response.body)["error"]


@pytest.mark.parametrize(
    "headers",
    [
        lambda body: {},
        lambda body: signed_headers("wrong-secret", body),
        lambda body: signed_headers(SECRET, body, timestamp=int(time.time()) - 301),
        lambda body: {**signed_headers(SECRET, body), "x-slack-request-timestamp": "not-a-number"},
        lambda body: {**signed_headers(SECRET, body), "x-slack-request-timestamp": "9" * 400},
        lambda body: {**signed_headers(SECRET, body), "x-slack-request-timestamp": "-" + "9" * 400},
        lambda body: {**signed_headers(SECRET, body), "x-slack-signature": "v0=" + "é" * 64},
    ],
    ids=["missing", "forged", "stale", "non-numeric timestamp", "400-digit timestamp", "-400-digit timestamp",
         "non-ASCII signature"],
)
async def test_requests_without_a_valid_signature_are_401(fake_slack: FakeSlackApi, headers: Any) -> None:
    body = slash_command_body("5000 Conference")
    response = await _post(body, headers(body))
    assert response.status == 401
    assert fake_slack.calls == []


async def test_an_unreadable_but_signed_body_is_400(fake_slack: FakeSlackApi) -> None:
    body = "payload=%7Bnot-json"
    assert (await _post(body, signed_headers(SECRET, body))).status == 400
    assert (await _post(body, {})).status == 401


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"type": "view_submission", "user": {"id": "U1"}, "view": {"callback_id": "deny_reason"}},
        {"type": "block_actions", "user": {"id": "U1"}, "actions": []},
        {"type": "block_actions", "user": "U1", "actions": [{"action_id": "approve_request"}]},
        {"type": 7},
        [1, 2, 3],
    ],
)
async def test_signed_payloads_slack_never_sends_are_400(fake_slack: FakeSlackApi, payload: Any) -> None:
    body = interaction_body(payload)
    response = await _post(body, signed_headers(SECRET, body))
    assert response.status == 400, response.body
    assert "error" in json.loads(response.body)


async def test_an_unknown_command_is_not_a_server_error(fake_slack: FakeSlackApi) -> None:
    body = slash_command_body("hi", command="/unknown")
    assert (await _post(body, signed_headers(SECRET, body))).status == 404


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)
_payloads = st.fixed_dictionaries(
    {"type": st.sampled_from(["block_actions", "view_submission", "view_closed", "shortcut", "x"]) | _json},
    optional={
        "user": st.fixed_dictionaries({"id": st.sampled_from(["U1", "UREQ1"]) | _json}) | _json,
        "actions": st.lists(
            st.fixed_dictionaries({"action_id": st.sampled_from(["approve_request", "deny_request"]) | _json},
                                  optional={"value": _json}), max_size=2) | _json,
        "view": st.fixed_dictionaries({"type": st.just("modal") | _json,
                                       "callback_id": st.sampled_from(["deny_reason", "new_expense_request"]) | _json},
                                      optional={"state": _json, "private_metadata": _json}) | _json,
        "team": _json,
        "container": _json,
        "trigger_id": _json,
    },
)


@given(payload=_payloads)
@hypothesis_settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
async def test_no_signed_interaction_payload_gets_a_server_error(fake_slack: FakeSlackApi, payload: Any) -> None:
    body = interaction_body(payload)
    response = await _post(body, signed_headers(SECRET, body))
    assert response.status < 500, (payload, response.body)
