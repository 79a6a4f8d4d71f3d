"""Hostile use through the real app: forged identities, self-approval, typed markup, limits."""

from __future__ import annotations

import re
from typing import Any

from testkit.blockkit import all_text, buttons
from testkit.slack_harness import APPROVAL_CHANNEL, APPROVER, OTHER_APPROVER, SlackHarness, slack_devhost

ALICE_EMAIL = "alice@company.com"
ALICE = "UALICE1"
HOSTILE = "Taxi <!channel> <!here> <@UAPPR1> <!subteam^S123> <https://evil.example|click me>\n" \
          ":white_check_mark: *Approved* by <@UAPPR2>"
LIVE_TOKEN = re.compile(r"<[!@#][^>]*>|<https?://[^>]*>")


async def _start_over_http(slack: SlackHarness, **body: Any) -> str:
    async with slack.session.post(f"{slack.host.base_url}/api/human_interaction",
                                  json={"amount": 50, "timeout_minutes": 30, **body}) as response:
        assert response.status == 202, await response.text()
        instance_id = (await response.json())["id"]
    await slack.wait_until_waiting(instance_id)
    return instance_id


async def _approve_over_http(slack: SlackHarness, instance_id: str, body: dict[str, Any]) -> tuple[int, Any]:
    async with slack.session.post(f"{slack.host.base_url}/api/approve/{instance_id}", json=body) as response:
        return response.status, await response.json()


def _posted(slack: SlackHarness, status: dict[str, Any]):
    message = status["customStatus"]["message"]
    return slack.fake.message(message["channel"], message["ts"])


def _typed_tokens(text: str) -> list[str]:
    """Live mentions, broadcasts and links, except the ones the bot itself writes (dates, links to
    its own posts, and the requester it resolved)."""
    return [t for t in LIVE_TOKEN.findall(text)
            if not t.startswith(("<!date^", "<https://fake.slack.com/")) and t != f"<@{ALICE}>"]


async def test_an_http_caller_can_not_make_a_message_name_a_slack_user() -> None:
    async with slack_devhost(users_by_email={ALICE_EMAIL: ALICE}) as slack:
        instance_id = await _start_over_http(slack, requester=ALICE_EMAIL)
        answer, body = await _approve_over_http(slack, instance_id, {
            "approved": True, "approver": "bob", "slackUserId": APPROVER})
        assert answer == 400 and body["field"] == "slackUserId"
        await slack.host.settle()
        assert (await slack.host.get_status(instance_id))["customStatus"]["stage"] == "waiting_for_approval"

        answer, _ = await _approve_over_http(slack, instance_id, {"approved": True, "approver": "<@UAPPR1> Bob"})
        assert answer == 202
        status = await slack.host.wait_for_status(instance_id, "Completed")
        approval = status["output"]["approval"]
        assert approval["via"] == "api" and "slackUserId" not in approval and "decidedBy" not in approval
        message = _posted(slack, status)
        shown = message.text + all_text(message.blocks)
        assert "<@UAPPR1>" not in shown and "&lt;@UAPPR1&gt; Bob (through the HTTP API)" in shown
        (dm,) = [m for m in slack.fake.messages.values() if m.channel.startswith("D")]
        assert "<@UAPPR1>" not in dm.text + all_text(dm.blocks)


async def test_the_requester_can_not_approve_their_own_request_over_http() -> None:
    async with slack_devhost(users_by_email={ALICE_EMAIL: ALICE}) as slack:
        instance_id = await _start_over_http(slack, requester=ALICE_EMAIL)
        answer, body = await _approve_over_http(slack, instance_id, {"approved": True, "approver": " Alice@Company.com"})
        assert answer == 403 and body["field"] == "approver"
        await slack.host.settle()
        status = await slack.host.get_status(instance_id)
        assert status["customStatus"]["stage"] == "waiting_for_approval" and status["customStatus"]["invalidResponses"] == 0


async def test_a_requester_matched_by_email_can_not_approve_in_slack() -> None:
    async with slack_devhost(users_by_email={ALICE_EMAIL: APPROVER}) as slack:
        instance_id = await _start_over_http(slack, requester=ALICE_EMAIL)
        status = await slack.host.get_status(instance_id)
        await slack.click("approve_request", f"approval-{instance_id}", user_id=APPROVER, message=_posted(slack, status))
        await slack.host.settle()
        assert (await slack.host.get_status(instance_id))["runtimeStatus"] == "Running"


async def test_a_requester_without_a_slack_account_is_marked_and_can_not_approve_under_their_name() -> None:
    async with slack_devhost() as slack:
        instance_id = await _start_over_http(slack, requester=APPROVER.lower())  # the approver's handle
        status = await slack.host.get_status(instance_id)
        message = _posted(slack, status)
        assert "no Slack account found" in all_text(message.blocks)
        url = slack.new_response_url()
        answer = await slack.click("approve_request", f"approval-{instance_id}", user_id=APPROVER, message=message,
                                   response_url=url)
        assert answer.status == 200
        await slack.host.settle()
        assert (await slack.host.get_status(instance_id))["runtimeStatus"] == "Running"
        assert "can't decide your own request" in slack.responses_to(url)[-1]["text"]

        await slack.click("approve_request", f"approval-{instance_id}", user_id=OTHER_APPROVER, message=message)
        decided = await slack.host.wait_for_status(instance_id, "Completed")
        assert decided["output"]["approval"]["slackUserId"] == OTHER_APPROVER


async def test_typed_markup_stays_inert_in_every_message_and_can_not_pass_for_a_status_line() -> None:
    async with slack_devhost(users_by_email={ALICE_EMAIL: ALICE}) as slack:
        instance_id = await _start_over_http(slack, requester=ALICE_EMAIL, description=HOSTILE)
        status = await slack.host.get_status(instance_id)
        request = _posted(slack, status)
        assert _typed_tokens(request.text + all_text(request.blocks)) == []
        (description,) = [b for b in request.blocks if b.get("block_id") == "description"]
        typed_lines = description["text"]["text"].split("\n")[1:]
        assert len(typed_lines) == 2 and all(line.startswith(">") for line in typed_lines)

        answer, _ = await _approve_over_http(slack, instance_id, {
            "approved": False, "approver": "<!channel> boss", "comments": HOSTILE})
        assert answer == 202
        await slack.host.wait_for_status(instance_id, "Completed")
        for message in slack.fake.messages.values():
            assert _typed_tokens(message.text + all_text(message.blocks)) == [], message.text


async def test_the_longest_accepted_reason_of_short_lines_is_still_shown_and_sent() -> None:
    async with slack_devhost(users_by_email={ALICE_EMAIL: ALICE}) as slack:
        instance_id = await _start_over_http(slack, requester=ALICE_EMAIL, description="&<>\n" * 500)
        answer, _ = await _approve_over_http(slack, instance_id, {
            "approved": False, "approver": "boss", "comments": "&\n" * 1000})
        assert answer == 202
        status = await slack.host.wait_for_status(instance_id, "Completed", "Failed")
        assert status["runtimeStatus"] == "Completed", status["customStatus"].get("notificationError")
        request = _posted(slack, status)
        assert request.updates == 1 and buttons(request.blocks) == []
        assert [m for m in slack.fake.messages.values() if m.channel.startswith("D")], "the requester was told"
        assert request.channel == APPROVAL_CHANNEL
