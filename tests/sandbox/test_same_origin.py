"""Only the sandbox's own page acts through it: foreign hosts, origins and bodies are refused."""

from __future__ import annotations

import aiohttp
import pytest

MESSAGE = {"user": "U0ALICE", "channel": "C0APPROVALS", "text": "hello"}


async def post(slack, path: str, **kwargs) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.post(slack.base_url + path, **kwargs) as response:
        return response.status, await response.json()


async def test_a_host_that_is_not_loopback_is_refused(slack):
    async with aiohttp.ClientSession() as session:
        async with session.get(slack.base_url + "/", headers={"Host": "rebound.example:3000"}) as page:
            assert page.status == 403 and (await page.json())["error"] == "unknown_host"
    status, body = await post(slack, "/api/auth.test", headers={"Host": "rebound.example",
                                                                "Authorization": f"Bearer {slack.sandbox.bot_token}"})
    assert status == 403 and body["error"] == "unknown_host"
    for host in ("localhost", "127.0.0.1:1234", "[::1]:80"):
        async with aiohttp.ClientSession() as session:
            async with session.get(slack.base_url + "/", headers={"Host": host}) as page:
                assert page.status == 200, host


@pytest.mark.parametrize("headers", [
    {"Origin": "http://127.0.0.1:1"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # another port on the same host is another origin
])
async def test_an_action_from_another_origin_is_refused_and_changes_nothing(slack, headers):
    status, body = await post(slack, "/ui/message", json=MESSAGE, headers=headers)
    assert status == 403 and body["error"] == "cross_site_request"
    assert slack.messages("C0APPROVALS") == []


async def test_the_pages_own_origin_and_clients_without_browser_headers_may_act(slack):
    own = {"Origin": slack.base_url, "Sec-Fetch-Site": "same-origin"}
    assert (await post(slack, "/ui/message", json=MESSAGE, headers=own)) == (200, {"ok": True, "error": None,
                                                                                    "detail": ""})
    assert (await post(slack, "/ui/message", json=MESSAGE))[0] == 200
    assert len(slack.messages("C0APPROVALS")) == 2


@pytest.mark.parametrize("body", [{"data": '{"user": "U0ALICE", "channel": "C0APPROVALS", "text": "hello"}'},
                                  {"data": MESSAGE}])
async def test_the_pages_actions_read_only_json(slack, body):
    status, answer = await post(slack, "/ui/message", **body)  # text/plain and a form
    assert status == 415 and answer["error"] == "unsupported_media_type"
    assert slack.messages("C0APPROVALS") == []


async def test_a_websocket_from_another_origin_is_refused(slack):
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(slack.base_url + "/ui/live?user=U0BOB", origin="http://evil.example")
        assert refused.value.status == 403
        async with session.ws_connect(slack.base_url + "/ui/live?user=U0BOB", origin=slack.base_url) as socket:
            assert (await socket.receive_json())["type"] == "state"
