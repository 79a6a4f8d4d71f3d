"""What the sandbox sends the app (signed, shaped like Slack's) and how it shows the app's acks."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View
from slack_sdk.signature import SignatureVerifier

from .conftest import answer, answer_json

pytestmark = pytest.mark.asyncio


async def post_request(client, slack):
    response = await client.chat_postMessage(channel="#expense-approvals", text="Expense request", blocks=[
        SectionBlock(text="*Alice* asks for *$120.00*"),
        ActionsBlock(block_id="decide", elements=[
            ButtonElement(text="Approve", action_id="approve_request", value="approval-1", style="primary"),
            ButtonElement(text="Deny", action_id="deny_request", value="approval-1", style="danger"),
        ]),
    ])
    return slack.workspace.find(response["channel"], response["ts"])


async def test_slash_command_is_a_signed_form_to_the_manifest_url(slack, app):
    outcome = await slack.slash_command("U0ALICE", "/expense 120 Team lunch")
    assert outcome.ok
    [request] = app.received
    assert request.path == "/api/slack/commands"
    assert request.signature_valid
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = request.form
    assert form["command"] == "/expense" and form["text"] == "120 Team lunch"
    assert form["user_id"] == "U0ALICE" and form["user_name"] == "alice"
    assert form["channel_id"] == "C0APPROVALS" and form["channel_name"] == "expense-approvals"
    assert form["team_id"] == "T0SANDBOX" and form["api_app_id"] == "A0EXPENSES"
    assert form["response_url"].startswith(f"{slack.base_url}/hooks/commands/")
    assert form["trigger_id"] in slack.sandbox.grants.triggers


async def test_signatures_verify_with_slack_sdk_and_not_with_another_secret(slack, app):
    await slack.slash_command("U0ALICE", "/expense 5 Coffee")
    request = app.received[0]
    assert SignatureVerifier(slack.sandbox.signing_secret).is_valid_request(request.body, request.headers)
    assert not SignatureVerifier("some-other-secret").is_valid_request(request.body, request.headers)
    assert abs(int(request.headers["X-Slack-Request-Timestamp"]) - time.time()) < 60


async def test_plain_text_ack_becomes_an_ephemeral_message(slack, app):
    app.reply = answer(text="Request approval-1 started")
    await slack.slash_command("U0ALICE", "/expense 120 Team lunch")
    [seen] = slack.messages("#expense-approvals", viewer="U0ALICE")
    assert seen.text == "Request approval-1 started" and seen.visible_to == "U0ALICE" and seen.user == "U0EXPBOT"
    assert slack.messages("#expense-approvals", viewer="U0BOB") == []


async def test_json_in_channel_ack_is_seen_by_everyone_with_the_command(slack, app):
    app.reply = answer_json({"response_type": "in_channel", "text": "Started",
                             "blocks": [SectionBlock(text="*Started*").to_dict()]})
    await slack.slash_command("U0ALICE", "/expense 120 Team lunch")
    echoed, reply = slack.messages("#expense-approvals", viewer="U0BOB")
    assert echoed.user == "U0ALICE" and echoed.command == "/expense 120 Team lunch"
    assert reply.blocks[0]["text"]["text"] == "*Started*" and reply.visible_to is None


async def test_empty_ack_shows_nothing(slack, app):
    await slack.slash_command("U0ALICE", "/expense 120 Team lunch")
    assert slack.messages("#expense-approvals", viewer="U0ALICE") == []


@pytest.mark.parametrize("status", [404, 500])
async def test_failed_ack_shows_slacks_error(slack, app, status):
    app.reply = answer(status=status, text="boom")
    outcome = await slack.slash_command("U0ALICE", "/expense 120 Team lunch")
    assert outcome.error == "http_error"
    [notice] = slack.messages("#expense-approvals", viewer="U0ALICE")
    assert notice.text == '/expense failed with the error "http_error"' and notice.user == "USLACKBOT"


async def test_slow_ack_is_operation_timeout(slack, app):
    never = asyncio.Event()

    async def hang(_):
        await never.wait()
        return web.Response()

    app.reply = hang
    slack.sandbox.link.ack_timeout = 0.2
    outcome = await slack.slash_command("U0ALICE", "/expense 120 Team lunch")
    never.set()  # let the app's handler finish so the test server shuts down at once
    assert outcome.error == "operation_timeout"
    assert slack.messages("#expense-approvals", viewer="U0ALICE")[-1].text.endswith('"operation_timeout"')


async def test_unreachable_app_is_dispatch_failed(slack):
    slack.connect_app("http://127.0.0.1:9")  # discard port: nothing listens
    outcome = await slack.slash_command("U0ALICE", "/expense 120 Team lunch")
    assert outcome.error == "dispatch_failed"


async def test_unknown_command_never_reaches_the_app(slack, app):
    outcome = await slack.slash_command("U0ALICE", "/nothing here")
    assert outcome.error == "unknown_command" and app.received == []
    assert "not a valid command" in slack.messages("#expense-approvals", viewer="U0ALICE")[-1].text


async def test_button_click_is_a_signed_block_actions_payload(slack, app, client):
    message = await post_request(client, slack)
    outcome = await slack.click("U0BOB", message, "approve_request")
    assert outcome.ok
    [request] = app.received
    assert request.path == "/api/slack/interactions" and request.signature_valid
    payload = request.payload
    assert payload["type"] == "block_actions"
    assert payload["user"]["id"] == "U0BOB"
    assert payload["container"] == {"type": "message", "message_ts": message.ts, "channel_id": "C0APPROVALS",
                                    "is_ephemeral": False}
    assert payload["message"]["ts"] == message.ts and payload["message"]["blocks"][1]["block_id"] == "decide"
    [action] = payload["actions"]
    assert action["action_id"] == "approve_request" and action["value"] == "approval-1"
    assert action["block_id"] == "decide" and action["style"] == "primary"
    assert payload["response_url"].startswith(f"{slack.base_url}/hooks/actions/")
    assert payload["trigger_id"] in slack.sandbox.grants.triggers


async def test_click_in_an_ephemeral_message_does_not_echo_it(slack, app, client):
    response = await client.chat_postEphemeral(channel="C0APPROVALS", user="U0BOB", text="pick",
                                               blocks=[ActionsBlock(elements=[ButtonElement(text="OK", action_id="ok")]).to_dict()])
    message = slack.workspace.find("C0APPROVALS", response["message_ts"])
    await slack.click("U0BOB", message, "ok")
    payload = app.received[0].payload
    assert payload["container"]["is_ephemeral"] is True and "message" not in payload


async def test_failed_click_tells_the_clicker(slack, app, client):
    message = await post_request(client, slack)
    app.reply = answer(status=500)
    outcome = await slack.click("U0BOB", message, "approve_request")
    assert outcome.error == "http_error"
    assert "did not respond" in slack.messages("C0APPROVALS", viewer="U0BOB")[-1].text


def expense_form() -> dict:
    return View(type="modal", callback_id="new_expense_request", title="New expense", submit="Submit",
                notify_on_close=True, blocks=[
                    InputBlock(block_id="amount", label="Amount",
                               element=NumberInputElement(action_id="amount_input", is_decimal_allowed=True,
                                                          min_value="0.01")),
                    InputBlock(block_id="kind", label="Type", element=StaticSelectElement(
                        action_id="kind_input", options=[Option(value="travel", text="Travel"),
                                                         Option(value="meal", text="Meal")])),
                    InputBlock(block_id="description", label="What for",
                               element=PlainTextInputElement(action_id="description_input")),
                    InputBlock(block_id="note", label="Note", optional=True,
                               element=PlainTextInputElement(action_id="note_input")),
                ]).to_dict()


async def open_form(slack, client, user="U0ALICE"):
    await client.views_open(trigger_id=slack.sandbox.grants.issue_trigger(user), view=expense_form())
    return slack.top_view(user)


async def test_view_submission_carries_state_values_like_slack(slack, app, client):
    await open_form(slack, client)
    outcome = await slack.submit_view("U0ALICE", {"amount": "120.50", "kind": "meal", "description": "Team lunch"})
    assert outcome.ok
    payload = app.received[0].payload
    assert app.received[0].signature_valid
    assert payload["type"] == "view_submission" and payload["user"]["id"] == "U0ALICE"
    assert payload["view"]["callback_id"] == "new_expense_request" and payload["view"]["type"] == "modal"
    values = payload["view"]["state"]["values"]
    assert values["amount"] == {"amount_input": {"type": "number_input", "value": "120.50"}}
    assert values["kind"]["kind_input"]["selected_option"]["value"] == "meal"
    assert values["description"] == {"description_input": {"type": "plain_text_input", "value": "Team lunch"}}
    assert values["note"] == {"note_input": {"type": "plain_text_input", "value": None}}
    assert slack.workspace.views_of("U0ALICE") == []  # an empty ack closes the modal


async def test_required_fields_and_numbers_are_checked_before_sending(slack, app, client):
    await open_form(slack, client)
    outcome = await slack.submit_view("U0ALICE", {"amount": "abc", "kind": "", "description": ""})
    assert not outcome.ok and app.received == []
    errors = slack.top_view("U0ALICE").errors
    assert errors["amount"] == "Please enter a number."
    assert errors["kind"] == errors["description"] == "Please complete this required field."
    assert "note" not in errors
    await slack.submit_view("U0ALICE", {"amount": "0", "kind": "meal", "description": "x"})
    assert "at least 0.01" in slack.top_view("U0ALICE").errors["amount"]


async def test_errors_response_action_shows_field_errors(slack, app, client):
    await open_form(slack, client)
    app.reply = answer_json({"response_action": "errors", "errors": {"amount": "Amount must be at most 100,000"}})
    outcome = await slack.submit_view("U0ALICE", {"amount": "1000000", "kind": "meal", "description": "Yacht"})
    assert outcome.error == "validation_errors"
    assert slack.top_view("U0ALICE").errors == {"amount": "Amount must be at most 100,000"}


async def test_update_push_and_clear_response_actions(slack, app, client):
    first = await open_form(slack, client)
    done = View(type="modal", title="Sent", blocks=[SectionBlock(text="Request sent")]).to_dict()
    app.reply = answer_json({"response_action": "update", "view": done})
    await slack.submit_view("U0ALICE", {"amount": "1", "kind": "meal", "description": "x"})
    assert slack.top_view("U0ALICE").id == first.id and slack.top_view("U0ALICE").view["title"]["text"] == "Sent"
    await open_form(slack, client)
    app.reply = answer_json({"response_action": "push", "view": expense_form()})
    await slack.submit_view("U0ALICE", {"amount": "1", "kind": "meal", "description": "x"})
    assert len(slack.workspace.views_of("U0ALICE")) == 2
    app.reply = answer_json({"response_action": "clear"})
    await slack.submit_view("U0ALICE", {"amount": "1", "kind": "meal", "description": "x"})
    assert slack.workspace.views_of("U0ALICE") == []


async def test_failed_submission_keeps_the_modal_open_with_a_banner(slack, app, client):
    await open_form(slack, client)
    app.reply = answer(status=500)
    await slack.submit_view("U0ALICE", {"amount": "1", "kind": "meal", "description": "x"})
    assert "trouble connecting" in slack.top_view("U0ALICE").errors[""]


async def test_cancel_sends_view_closed_when_asked(slack, app, client):
    view = await open_form(slack, client)
    await slack.close_view("U0ALICE")
    payload = app.received[0].payload
    assert payload["type"] == "view_closed" and payload["view"]["id"] == view.id and payload["is_cleared"] is False
    assert app.received[0].signature_valid
    assert slack.workspace.views_of("U0ALICE") == []
