"""Starting a request from Slack: `/expense` with text, or through the form."""

import json

from testkit.blockkit import all_text, buttons
from testkit.slack_harness import APPROVAL_CHANNEL, REQUESTER, slack_devhost
from testkit.slack_requests import selected, text_value


def _input(status: dict) -> dict:
    """The instance input (the durable client stores it as JSON text)."""
    data = status["input"]
    return json.loads(data) if isinstance(data, str) else data


async def test_a_one_line_expense_starts_at_once_and_posts_the_request_with_buttons() -> None:
    async with slack_devhost() as slack:
        answer = await slack.command("$1,250.50 Team dinner")
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("application/json")
        ack = answer.json()
        assert ack["response_type"] == "ephemeral"
        assert "approval-" in ack["text"] and "<!date^" in all_text(ack["blocks"])

        started = await slack.start_by_text("5000 Conference attendance")
        status = await slack.host.wait_for_status(started.instance_id, "Running")
        assert _input(status) == {
            "requestType": "expense_approval", "amount": 5000.0, "requester": "alice",
            "requesterAccount": {"platform": "slack", "id": REQUESTER, "name": "alice"},
            "description": "Conference attendance", "timeoutSeconds": 600, "origin": "slack", "frontEnds": ["slack"],
            "monthToDate": 0.0,
        }
        message = started.message
        assert message.channel == APPROVAL_CHANNEL
        assert [b["value"] for b in buttons(message.blocks)] == [started.approval_id] * 2
        text = all_text(message.blocks)
        assert "$5,000.00" in text and f"<@{REQUESTER}>" in text and "Conference attendance" in text
        assert status["customStatus"]["message"]["permalink"].startswith("https://")


async def test_unreadable_text_gets_usage_and_starts_nothing() -> None:
    async with slack_devhost() as slack:
        for text in ("lunch please", "5000", "1250 EUR hotel"):
            answer = await slack.command(text)
            assert answer.status == 200
            assert "Usage: `/expense <amount> <what it is for>`" in answer.text
        await slack.host.settle()
        assert slack.fake.calls_to("chat.postMessage") == []


async def test_a_command_mentioning_payload_is_still_a_command() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text("300 payload testing rig")
        assert "payload testing rig" in all_text(started.message.blocks)


async def test_expense_alone_opens_the_form_and_its_submission_starts_the_request() -> None:
    async with slack_devhost() as slack:
        answer = await slack.command("")
        assert (answer.status, answer.text) == (200, "")
        (opened,) = slack.fake.calls_to("views.open")
        assert opened.args["view"]["callback_id"] == "new_expense_request"
        assert opened.args["trigger_id"]

        answer = await slack.submit("new_expense_request", {
            "amount": text_value("$2,400"), "request_type": selected("travel_approval"),
            "description": text_value("Flights to the offsite"), "timeout": selected("3600"),
        }, user_id=REQUESTER)
        assert answer.status == 200
        ack = answer.json()
        assert ack["response_action"] == "update"
        approval_id = next(word.strip("`") for word in all_text(ack["view"]["blocks"]).split() if "approval-" in word)
        instance_id = approval_id.removeprefix("approval-")
        status = await slack.wait_until_waiting(instance_id)
        request = _input(status)
        assert request["requestType"] == "travel_approval"
        assert request["amount"] == 2400.0 and request["timeoutSeconds"] == 3600
        assert request["requesterAccount"]["id"] == REQUESTER and request["origin"] == "slack"


async def test_help_opens_the_form_too() -> None:
    async with slack_devhost() as slack:
        assert (await slack.command("help")).status == 200
        assert len(slack.fake.calls_to("views.open")) == 1


async def test_the_form_shows_errors_next_to_the_fields_and_starts_nothing() -> None:
    async with slack_devhost() as slack:
        answer = await slack.submit("new_expense_request", {
            "amount": text_value("a lot"), "request_type": selected("expense_approval"),
            "description": text_value("   "), "timeout": selected("999"),
        }, user_id=REQUESTER)
        assert answer.status == 200
        ack = answer.json()
        assert ack["response_action"] == "errors"
        assert set(ack["errors"]) == {"amount", "description", "timeout"}
        answer = await slack.submit("new_expense_request", {
            "amount": text_value("99999999999999"), "request_type": selected("expense_approval"),
            "description": text_value("Yacht"), "timeout": selected("600"),
        }, user_id=REQUESTER)
        assert set(answer.json()["errors"]) == {"amount"}
        await slack.host.settle()
        assert slack.fake.calls_to("chat.postMessage") == []


async def test_a_request_started_over_http_is_posted_with_the_requester_found_by_email() -> None:
    async with slack_devhost(users_by_email={"alice@company.com": "UALICE"}) as slack:
        instance_id = await slack.host.client.start_new("approval_workflow", None, {
            "requestType": "expense_approval", "amount": 5000, "requester": "alice@company.com",
            "requesterSlackId": None, "description": "Conference attendance expenses", "timeoutSeconds": 900,
        })
        status = await slack.wait_until_waiting(instance_id)
        assert status["customStatus"]["message"]["requesterSlackId"] == "UALICE"
        (lookup,) = slack.fake.calls_to("users.lookupByEmail")
        assert lookup.args["email"] == "alice@company.com"
        posted = status["customStatus"]["message"]
        assert "<@UALICE>" in all_text(slack.fake.message(posted["channel"], posted["ts"]).blocks)
