"""Requests that are not Slack's, or not sane, change nothing and never get a server error."""

import time

import aiohttp
import pytest

from devhost.testing import run_devhost
from testkit import slack_requests as slack_payloads
from testkit.slack_harness import APP_DIR, APPROVER, SECRET, slack_devhost
from testkit.slack_requests import interaction_body, signed_headers, slash_command_body

BAD_SIGNATURES = {
    "missing": lambda body: {"content-type": "application/x-www-form-urlencoded"},
    "forged": lambda body: signed_headers("not-the-secret", body),
    "stale": lambda body: signed_headers(SECRET, body, timestamp=int(time.time()) - 6 * 60),
    "from the future": lambda body: signed_headers(SECRET, body, timestamp=int(time.time()) + 6 * 60),
    "body changed after signing": lambda body: signed_headers(SECRET, body + "&amount=1"),
}


@pytest.mark.parametrize("how", sorted(BAD_SIGNATURES))
async def test_unsigned_commands_are_401_and_start_nothing(how: str) -> None:
    async with slack_devhost() as slack:
        body = slash_command_body("5000 Conference attendance")
        answer = await slack.post("/api/slack/commands", body, BAD_SIGNATURES[how](body))
        assert answer.status == 401
        await slack.host.settle()
        assert slack.fake.calls == []  # not even auth.test


async def test_an_unsigned_click_is_401_and_decides_nothing() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text()
        calls_before = len(slack.fake.calls)
        for how in sorted(BAD_SIGNATURES):
            click = slack_payloads.button_click(
                "approve_request", started.approval_id, user_id=APPROVER, response_url=slack.new_response_url()
            )
            body = interaction_body(click)
            answer = await slack.post("/api/slack/interactions", body, BAD_SIGNATURES[how](body))
            assert answer.status == 401, how
        await slack.host.settle()
        assert len(slack.fake.calls) == calls_before
        status = await slack.host.get_status(started.instance_id)
        assert status is not None and status["runtimeStatus"] == "Running", status
        assert status["customStatus"]["stage"] == "waiting_for_approval"
        assert status["customStatus"]["invalidResponses"] == 0


@pytest.mark.parametrize(
    "body",
    [
        "",
        "payload=",
        "payload=%7B%7D",
        "payload=%5B%5D",
        "payload=not-json",
        "payload=%7B%22type%22%3A%22view_submission%22%7D",
        interaction_body({"type": "view_submission", "user": {"id": APPROVER}, "view": {"callback_id": "deny_reason"}}),
        interaction_body({"type": "block_actions", "user": {"id": APPROVER}, "actions": [{"value": "x"}]}),
        interaction_body({"type": "block_actions", "user": {"id": APPROVER},
                          "actions": [{"action_id": "approve_request", "value": {"nested": True}}]}),
        interaction_body({"type": "view_submission", "user": {"id": APPROVER},
                          "view": {"type": "modal", "callback_id": "deny_reason", "state": "garbage",
                                   "private_metadata": "{]"}}),
        "command=%2Fexpense&text=5000+x",
        "\u00ff\u00fe garbage",
    ],
)
async def test_signed_but_malformed_requests_get_a_4xx_or_a_polite_answer(body: str) -> None:
    async with slack_devhost() as slack:
        for path in ("/api/slack/commands", "/api/slack/interactions"):
            answer = await slack.post_signed(path, body)
            assert answer.status < 500, (path, answer.status, answer.text)
        assert slack.fake.calls_to("chat.postMessage") == []


async def test_without_slack_settings_the_endpoints_say_503_and_the_workflow_still_runs() -> None:
    async with run_devhost(APP_DIR, env={"SLACK_BOT_TOKEN": ""}, virtual_clock=True) as host:
        async with aiohttp.ClientSession() as session:
            for path in ("/api/slack/commands", "/api/slack/interactions"):
                async with session.post(f"{host.base_url}{path}", data=b"x=1") as response:
                    assert response.status == 503
                    assert "not configured" in (await response.json())["error"]
        instance_id = await host.client.start_new("approval_workflow", None, {
            "requestType": "expense_approval", "amount": 10, "requester": "alice@company.com",
            "requesterSlackId": None, "description": "Pens", "timeoutSeconds": 60,
        })
        status = await host.wait_for_custom_status(instance_id, lambda c: c and c["stage"] == "waiting_for_approval")
        assert status["customStatus"]["message"] is None and "notificationError" not in status["customStatus"]
        await host.client.raise_event(instance_id, "approval_response", {"approved": True, "approver": "m@x.com"})
        status = await host.wait_for_status(instance_id, "Completed")
        assert status["output"]["status"] == "Approved" and "notificationError" not in status["output"]
