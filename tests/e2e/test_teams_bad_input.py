"""Whatever reaches /api/teams/messages, the answer is a clear 4xx/5xx JSON, never a traceback."""

from __future__ import annotations

import aiohttp
import pytest

from devhost.testing import run_devhost
from testkit.teams_harness import APP_DIR, APPROVALS, REQUESTER, TEAMS_SETTING_NAMES, teams_devhost


@pytest.mark.parametrize(("body", "words"), [
    (b"{not json", "not JSON"),
    (b"[1, 2]", "JSON object"),
    (b'{"type": 5, "conversation": {"id": "x"}}', "not an activity: type"),
    (b'{"type": "message", "conversation": "x"}', "not an activity: conversation"),
    (b'{"type": "message"}', "conversation.id"),
])
async def test_a_body_that_is_not_an_activity_is_a_400_naming_the_problem(body: bytes, words: str) -> None:
    async with teams_devhost() as teams:
        answer = await teams.send(body)
        assert answer.status == 400, answer.text
        assert words in answer.json()["error"]
        assert teams.fake.calls == []


async def test_activities_the_bot_does_not_act_on_are_accepted_quietly() -> None:
    async with teams_devhost() as teams:
        conversation = {"id": teams.fake.personal_chat_of(REQUESTER["id"]), "conversationType": "personal"}
        answer = await teams.send(teams.activity("conversationUpdate", REQUESTER, conversation))
        assert answer.status in (200, 202)
        unknown = await teams.click("launchRockets", {}, REQUESTER)
        assert unknown.status == 200 and "isn't one I know" in unknown.text
        broken = await teams.send(teams.activity("invoke", REQUESTER, conversation, name="adaptiveCard/action",
                                                 value={"action": "nope"}))
        assert broken.status == 400
        assert teams.fake.in_conversation(APPROVALS) == []


async def test_a_click_with_a_mangled_approval_id_is_refused_readably() -> None:
    async with teams_devhost() as teams:
        answer = await teams.click("approve", {"approvalId": "../../etc"}, REQUESTER)
        assert answer.status == 200 and "valid approval id" in answer.text
        answer = await teams.click("approve", {"approvalId": "approval-" + "0" * 32}, REQUESTER)
        assert answer.status == 200 and "can't find approval" in answer.text


async def test_without_teams_settings_the_endpoint_answers_503(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in TEAMS_SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    async with run_devhost(APP_DIR, virtual_clock=True) as host, aiohttp.ClientSession() as http:
        async with http.post(f"{host.base_url}/api/teams/messages", data=b"{}") as response:
            assert response.status == 503
            assert "not configured" in (await response.json())["error"]


async def test_a_malformed_setting_answers_503_naming_it() -> None:
    async with teams_devhost(env={"TEAMS_APPROVER_IDS": "bob smith"}) as teams:
        answer = await teams.say("expense 120 Team lunch")
        assert answer.status == 503 and "TEAMS_APPROVER_IDS" in answer.json()["error"]
