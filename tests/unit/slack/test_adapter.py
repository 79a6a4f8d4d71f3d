"""Our adapter between raw HTTP parts and Bolt, exercised through a real Bolt AsyncApp."""

import json
from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.slack.adapter import from_bolt_response, to_bolt_request
from testkit.slack_requests import signed_headers, slash_command_body

SECRET = "adapter-test-secret"


async def _authorize(**_: Any) -> AuthorizeResult:
    return AuthorizeResult(
        enterprise_id=None, team_id="T0FAKE", bot_token="xoxb-test", bot_user_id="UBOT", bot_id="BBOT"
    )


@pytest.fixture
def app() -> AsyncApp:
    """A bare Bolt app with one echoing command listener (no Web API calls)."""
    app = AsyncApp(signing_secret=SECRET, authorize=_authorize, process_before_response=True)

    @app.command("/echo")
    async def echo(ack: Any, command: dict[str, Any], durable_client: Any) -> None:
        await ack(response_type="ephemeral", text=f"{command['text']}|{durable_client}")

    return app


def test_slacks_documented_signature_example_verifies() -> None:
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    verifier = SignatureVerifier("8f742231b10e8888abcd99yyyzzz85a5")
    signature = verifier.generate_signature(timestamp="1531420618", body=body)
    assert signature == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


async def test_the_durable_client_reaches_listeners_and_json_acks_stay_json(app: AsyncApp) -> None:
    body = slash_command_body("hello", command="/echo")
    request = to_bolt_request(body.encode(), signed_headers(SECRET, body), {}, {"durable_client": "DC"})
    response = from_bolt_response(await app.async_dispatch(request))
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    assert json.loads(response.body)["text"] == "hello|DC"


async def test_a_command_whose_text_says_payload_still_reaches_its_listener(app: AsyncApp) -> None:
    body = slash_command_body("ship the payload v2", command="/echo")
    headers = signed_headers(SECRET, body)
    # Bolt alone reads such a body as empty (it looks for the substring "payload") ...
    assert (await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))).status == 404
    # ... our adapter re-reads it as the form it is.
    response = await app.async_dispatch(to_bolt_request(body.encode(), headers, {}, {"durable_client": "DC"}))
    assert response.status == 200 and json.loads(response.body)["text"] == "ship the payload v2|DC"


async def test_bolt_internal_headers_from_outside_are_dropped(app: AsyncApp) -> None:
    body = slash_command_body("hi", command="/echo")
    headers = {**signed_headers(SECRET, body), "X-Slack-Bolt-Lazy-Only": "1", "x-slack-bolt-lazy-function-name": "echo"}
    request = to_bolt_request(body.encode(), headers, {}, {"durable_client": "DC"})
    assert not any(name.startswith("x-slack-bolt-") for name in request.headers)
    response = await app.async_dispatch(request)
    assert response.status == 200 and json.loads(response.body)["text"] == "hi|DC"


async def test_a_forged_signature_is_401(app: AsyncApp) -> None:
    body = slash_command_body("hi", command="/echo")
    headers = signed_headers("some-other-secret", body)
    response = await app.async_dispatch(to_bolt_request(body.encode(), headers, {}, {}))
    assert response.status == 401
