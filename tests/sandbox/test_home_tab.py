"""The App Home tab: views.publish, app_home_opened to the manifest's event URL, clicks on the tab."""

from __future__ import annotations

import json

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock

from slack_sandbox import user_actions
from tests.sandbox.conftest import MANIFEST

pytestmark = pytest.mark.asyncio

WITH_HOME = MANIFEST.replace("features:\n", "features:\n  app_home:\n    home_tab_enabled: true\n") + """\
  event_subscriptions:
    request_url: https://my-func.azurewebsites.net/api/slack/events
    bot_events: [app_home_opened]
"""


@pytest.fixture
def manifest(tmp_path):
    path = tmp_path / "manifest.yml"
    path.write_text(WITH_HOME)
    return path


def home(text: str = "Waiting for you") -> dict:
    return {"type": "home", "blocks": [
        SectionBlock(block_id="waiting_0", text=text).to_dict(),
        ActionsBlock(block_id="decide_0", elements=[
            ButtonElement(text="Approve", action_id="approve_request", value="approval-abc", style="primary")]).to_dict(),
    ]}


async def error_of(call) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response["error"]


async def test_views_publish_sets_one_persons_home_tab_and_keeps_its_id(client, slack):
    first = (await client.views_publish(user_id="U0BOB", view=home()))["view"]
    assert first["type"] == "home" and first["id"].startswith("V") and first["blocks"][0]["block_id"] == "waiting_0"
    second = (await client.views_publish(user_id="U0BOB", view=home("Nothing waits")))["view"]
    assert second["id"] == first["id"] and slack.workspace.home_views["U0BOB"]["blocks"][0]["text"]["text"] == "Nothing waits"
    assert "U0ALICE" not in slack.workspace.home_views


async def test_views_publish_refuses_what_slack_refuses(client):
    assert await error_of(client.views_publish(user_id="U0BOB", view={"type": "modal", "blocks": []})) == "invalid_arguments"
    assert await error_of(client.views_publish(user_id="U0BOB", view={"type": "home", "blocks": [{"type": "nope"}]})) == "invalid_arguments"
    assert await error_of(client.views_publish(user_id="UNOBODY", view=home())) == "user_not_found"
    published = (await client.views_publish(user_id="U0BOB", view=home()))["view"]
    assert await error_of(client.views_publish(user_id="U0BOB", view=home(), hash="stale")) == "hash_conflict"
    assert (await client.views_publish(user_id="U0BOB", view=home(), hash=published["hash"]))["ok"]


async def test_opening_the_home_tab_sends_a_signed_app_home_opened_event(slack, app):
    outcome = await user_actions.open_home(slack.sandbox, "U0BOB")
    assert outcome.ok
    (received,) = app.received
    assert received.path == "/api/slack/events" and received.signature_valid
    assert received.headers["Content-Type"] == "application/json"
    envelope = json.loads(received.body)
    assert envelope["type"] == "event_callback"
    assert envelope["event"]["type"] == "app_home_opened" and envelope["event"]["user"] == "U0BOB"
    assert envelope["event"]["tab"] == "home"


async def test_a_click_on_the_home_tab_carries_the_view_and_no_response_url(slack, app, client):
    await client.views_publish(user_id="U0BOB", view=home())
    outcome = await user_actions.click_home_button(slack.sandbox, "U0BOB", "approve_request")
    assert outcome.ok
    payload = app.received[-1].payload
    assert payload["type"] == "block_actions" and "response_url" not in payload
    assert payload["container"] == {"type": "view", "view_id": slack.workspace.home_views["U0BOB"]["id"]}
    assert payload["view"]["type"] == "home" and payload["actions"][0]["value"] == "approval-abc"
    assert payload["trigger_id"]
    with pytest.raises(user_actions.ActionError):
        await user_actions.click_home_button(slack.sandbox, "U0ALICE", "approve_request")
