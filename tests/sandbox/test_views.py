"""Modals: views.open/push/update, trigger_id expiry and single use, view validation."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View

pytestmark = pytest.mark.asyncio


def reason_modal(title: str = "Deny request") -> dict:
    return View(type="modal", callback_id="deny_reason", title=title, submit="Deny", close="Cancel",
                private_metadata="approval-abc",
                blocks=[InputBlock(block_id="reason", label="Reason",
                                   element=PlainTextInputElement(action_id="reason_input", multiline=True))]).to_dict()


async def error_of(call) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response["error"]


async def test_views_open_shows_the_modal_to_the_trigger_user(client, slack):
    trigger = slack.sandbox.grants.issue_trigger("U0BOB")
    response = await client.views_open(trigger_id=trigger, view=reason_modal())
    view = response["view"]
    assert view["id"].startswith("V") and view["callback_id"] == "deny_reason"
    assert view["private_metadata"] == "approval-abc" and view["state"] == {"values": {}}
    assert slack.top_view("U0BOB").id == view["id"]
    assert slack.workspace.views_of("U0ALICE") == []


async def test_trigger_id_expires_after_three_seconds(client, slack, clock):
    trigger = slack.sandbox.grants.issue_trigger("U0BOB")
    clock.advance(3.01)
    assert await error_of(client.views_open(trigger_id=trigger, view=reason_modal())) == "expired_trigger_id"
    assert slack.workspace.views_of("U0BOB") == []


async def test_trigger_id_just_inside_three_seconds_still_works(client, slack, clock):
    trigger = slack.sandbox.grants.issue_trigger("U0BOB")
    clock.advance(2.9)
    assert (await client.views_open(trigger_id=trigger, view=reason_modal()))["ok"]


async def test_trigger_id_works_once(client, slack):
    trigger = slack.sandbox.grants.issue_trigger("U0BOB")
    await client.views_open(trigger_id=trigger, view=reason_modal())
    assert await error_of(client.views_open(trigger_id=trigger, view=reason_modal())) == "exchanged_trigger_id"
    assert await error_of(client.views_open(trigger_id="1.2.nonsense", view=reason_modal())) == "invalid_trigger_id"


@pytest.mark.parametrize("change, reason", [
    (lambda v: v.update(title={"type": "plain_text", "text": "t" * 25}), "title"),
    (lambda v: v.update(submit=None) or v.pop("submit"), "submit is required"),
    (lambda v: v.update(blocks=[]), "between 1 and 100"),
    (lambda v: v.update(private_metadata="m" * 3001), "private_metadata"),
    (lambda v: v.update(type="home"), "modal"),
])
async def test_invalid_views_are_refused_with_the_reason(client, slack, change, reason):
    view = reason_modal()
    change(view)
    trigger = slack.sandbox.grants.issue_trigger("U0BOB")
    with pytest.raises(SlackApiError) as caught:
        await client.views_open(trigger_id=trigger, view=view)
    assert caught.value.response["error"] == "invalid_arguments"
    assert reason in caught.value.response["response_metadata"]["messages"][0]


async def test_views_update_by_id_and_external_id_with_hash_check(client, slack):
    opened = (await client.views_open(trigger_id=slack.sandbox.grants.issue_trigger("U0BOB"),
                                      view={**reason_modal(), "external_id": "deny-1"}))["view"]
    thanks = View(type="modal", title="Done", blocks=[SectionBlock(text="Thanks")]).to_dict()
    by_external = (await client.views_update(external_id="deny-1", view={**reason_modal("Still deny"), "external_id": "deny-1"}))["view"]
    assert by_external["id"] == opened["id"] and by_external["title"]["text"] == "Still deny"
    updated = (await client.views_update(view_id=opened["id"], hash=by_external["hash"], view=thanks))["view"]
    assert updated["id"] == opened["id"] and updated["title"]["text"] == "Done"
    assert slack.top_view("U0BOB").view["title"]["text"] == "Done"
    assert await error_of(client.views_update(view_id=opened["id"], hash=by_external["hash"], view=thanks)) == "hash_conflict"
    assert await error_of(client.views_update(view_id="VNOPE", view=thanks)) == "not_found"


async def test_views_push_stacks_at_most_three(client, slack):
    grants = slack.sandbox.grants
    await client.views_open(trigger_id=grants.issue_trigger("U0BOB"), view=reason_modal())
    await client.views_push(trigger_id=grants.issue_trigger("U0BOB"), view=reason_modal("Second"))
    await client.views_push(trigger_id=grants.issue_trigger("U0BOB"), view=reason_modal("Third"))
    assert [v.view["title"]["text"] for v in slack.workspace.views_of("U0BOB")] == ["Deny request", "Second", "Third"]
    assert await error_of(client.views_push(trigger_id=grants.issue_trigger("U0BOB"), view=reason_modal())) == "push_limit_reached"
