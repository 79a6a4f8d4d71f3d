"""HTTP-triggered functions: requests in as azure.functions.HttpRequest, responses out unchanged."""
import logging

import aiohttp
import pytest

from devhost.testing import run_devhost


@pytest.fixture
async def host(basic_app):
    async with run_devhost(basic_app, env={"SAMPLE_SETTING": "from-env"}) as running:
        yield running


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


async def test_optional_route_segment_and_sync_function(host, http):
    async with http.get(f"{host.base_url}/api/hello/Ann") as resp:
        assert resp.status == 200
        assert await resp.text() == "Hello Ann"
        assert resp.headers["X-Greeting"] == "yes"
        assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    async with http.get(f"{host.base_url}/api/hello?name=Bo") as resp:
        assert await resp.text() == "Hello Bo"


async def test_typed_segment_methods_status_and_mimetype(host, http):
    async with http.put(f"{host.base_url}/api/items/42") as resp:
        assert resp.status == 201
        assert resp.headers["Content-Type"].startswith("application/json")
        assert await resp.json() == {"id": "42", "method": "PUT"}
    async with http.get(f"{host.base_url}/api/items/abc") as resp:
        assert resp.status == 404  # {id:int} does not match
    async with http.delete(f"{host.base_url}/api/items/42") as resp:
        assert resp.status == 404  # method not allowed by the function


async def test_body_query_headers_url_and_environment(host, http):
    async with http.post(f"{host.base_url}/api/echo?a=1", data=b"payload",
                         headers={"X-Custom": "v"}) as resp:
        body = await resp.json()
    assert body == {"body": "payload", "query": {"a": "1"}, "header": "v",
                    "url": f"{host.base_url}/api/echo?a=1", "env": "from-env"}


async def test_exception_answers_500_without_details_and_logs_the_traceback(host, http, caplog):
    with caplog.at_level(logging.ERROR, logger="devhost"):
        async with http.get(f"{host.base_url}/api/boom") as resp:
            assert resp.status == 500
            assert "secret" not in await resp.text()
    assert "secret detail that must not leak" in caplog.text
    assert "Traceback" in caplog.text


async def test_unknown_route_is_404(host, http):
    async with http.get(f"{host.base_url}/api/nothing/here") as resp:
        assert resp.status == 404
    async with http.get(f"{host.base_url}/elsewhere") as resp:
        assert resp.status == 404


async def test_durable_client_binding_and_check_status_urls_work(host, http):
    async with http.post(f"{host.base_url}/api/orchestrators/approval",
                         json={"name": "Cy"}) as resp:
        assert resp.status == 202
        payload = await resp.json()
        assert resp.headers["Location"] == payload["statusQueryGetUri"]
    assert payload["statusQueryGetUri"].startswith(f"{host.base_url}/runtime/webhooks/durabletask/")
    await host.wait_for_custom_status(payload["id"], lambda c: c == {"stage": "waiting"})
    send = payload["sendEventPostUri"].replace("{eventName}", "decision")
    async with http.post(send, json={"ok": True}) as resp:
        assert resp.status == 202
    status = await host.wait_for_status(payload["id"], "Completed")
    assert status["output"]["decision"] == {"ok": True}  # raw JSON body: a real dict
    async with http.get(payload["statusQueryGetUri"]) as resp:
        assert resp.status == 200
        assert (await resp.json())["runtimeStatus"] == "Completed"
    async with http.delete(payload["purgeHistoryDeleteUri"]) as resp:
        assert await resp.json() == {"instancesDeleted": 1}
