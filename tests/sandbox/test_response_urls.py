"""response_url semantics: ephemeral, in_channel, replace_original, delete_original, 5 uses in 30 minutes."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock
from slack_sdk.webhook.async_client import AsyncWebhookClient

pytestmark = pytest.mark.asyncio


async def command_response_url(slack, app) -> str:
    await slack.slash_command("U0ALICE", "/expense 120 Team lunch")
    return app.received[-1].form["response_url"]


async def click_response_url(slack, app, client) -> tuple[str, object]:
    posted = await client.chat_postMessage(channel="C0APPROVALS", text="Request", blocks=[
        SectionBlock(text="Alice asks for $120"),
        ActionsBlock(elements=[ButtonElement(text="Approve", action_id="approve_request", value="a-1")])])
    message = slack.workspace.find("C0APPROVALS", posted["ts"])
    await slack.click("U0BOB", message, "approve_request")
    return app.received[-1].payload["response_url"], message


async def test_default_is_an_ephemeral_message_for_the_invoker(slack, app):
    hook = AsyncWebhookClient(await command_response_url(slack, app))
    response = await hook.send(text="Working on it")
    assert response.status_code == 200 and response.body == "ok"
    assert slack.messages("C0APPROVALS", viewer="U0ALICE")[-1].text == "Working on it"
    assert slack.messages("C0APPROVALS", viewer="U0BOB") == []


async def test_in_channel_is_seen_by_everyone(slack, app):
    hook = AsyncWebhookClient(await command_response_url(slack, app))
    await hook.send(text="Everyone look", response_type="in_channel")
    assert slack.messages("C0APPROVALS", viewer="U0BOB")[-1].text == "Everyone look"


async def test_replace_original_rewrites_the_clicked_message(slack, app, client):
    url, message = await click_response_url(slack, app, client)
    await AsyncWebhookClient(url).send(text="Approved by Bob", replace_original=True,
                                       blocks=[SectionBlock(text="*Approved* by <@U0BOB>")])
    updated = slack.workspace.find("C0APPROVALS", message.ts)
    assert updated.text == "Approved by Bob" and updated.visible_to is None
    assert [b["type"] for b in updated.blocks] == ["section"]


async def test_replace_original_after_a_command_rewrites_the_last_reply(slack, app):
    hook = AsyncWebhookClient(await command_response_url(slack, app))
    await hook.send(text="Step 1")
    await hook.send(text="Step 2", replace_original=True)
    assert [m.text for m in slack.messages("C0APPROVALS", viewer="U0ALICE")] == ["Step 2"]


async def test_after_a_click_the_default_replaces_and_false_answers_privately(slack, app, client):
    url, message = await click_response_url(slack, app, client)
    hook = AsyncWebhookClient(url)
    await hook.send(text="Only for you", replace_original=False)
    assert slack.messages("C0APPROVALS", viewer="U0BOB")[-1].text == "Only for you"
    assert slack.messages("C0APPROVALS", viewer="U0ALICE")[-1] is message
    await hook.send(text="Replaced without asking")
    assert slack.workspace.find("C0APPROVALS", message.ts).text == "Replaced without asking"


async def test_delete_original_removes_the_message(slack, app, client):
    url, message = await click_response_url(slack, app, client)
    response = await AsyncWebhookClient(url).send_dict({"delete_original": True})
    assert response.status_code == 200
    assert slack.workspace.find("C0APPROVALS", message.ts) is None


async def test_five_uses_then_used_url(slack, app):
    hook = AsyncWebhookClient(await command_response_url(slack, app))
    for n in range(5):
        assert (await hook.send(text=f"update {n}")).status_code == 200
    sixth = await hook.send(text="one too many")
    assert sixth.status_code == 404 and sixth.body == "used_url"


async def test_expires_after_thirty_minutes(slack, app, clock):
    hook = AsyncWebhookClient(await command_response_url(slack, app))
    clock.advance(30 * 60 + 1)
    late = await hook.send(text="late")
    assert late.status_code == 404 and late.body == "expired_url"


async def test_bad_payloads_are_4xx_with_short_text(slack, app):
    url = await command_response_url(slack, app)
    hook = AsyncWebhookClient(url)
    assert (await hook.send_dict({"response_type": "ephemeral"})).body == "no_text"
    bad = await hook.send_dict({"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]})
    assert bad.status_code == 400 and bad.body.startswith("invalid_blocks")
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data="not json") as resp:
            assert resp.status == 400 and await resp.text() == "invalid_payload"
        async with session.post(f"{slack.base_url}/hooks/commands/T0SANDBOX/forged", json={"text": "x"}) as resp:
            assert resp.status == 404
