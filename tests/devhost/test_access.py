"""Who may call devhost: remote callers need the host key except for ANONYMOUS functions, and
browser pages on other origins may not change anything. Real HTTP over loopback; a remote caller
is simulated the way a tunnel presents one: a Host header naming the tunnel."""
import socket

import aiohttp
import pytest

from devhost.host import DevHost, HostConfig
from devhost.keys import key_path
from devhost.testing import run_devhost
from tests.devhost.conftest import APPS

TUNNEL = {"Host": "devhost-tunnel.example"}
MANAGEMENT = "/runtime/webhooks/durabletask"


@pytest.fixture
async def host():
    async with run_devhost(APPS / "keyed") as running:
        yield running


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def key(host) -> str:
    return key_path(host.db_path).read_text().strip()


async def instances(host, http) -> list[dict]:
    async with http.get(f"{host.management_url}/instances") as resp:
        assert resp.status == 200
        return await resp.json()


async def waiting_instance(host, http) -> str:
    async with http.post(f"{host.base_url}/api/start", data=b"first") as resp:
        assert resp.status == 202
        instance_id = (await resp.json())["id"]
    await host.wait_for_status(instance_id, "Running")
    return instance_id


async def refused(resp: aiohttp.ClientResponse, status: int) -> str:
    assert resp.status == status
    assert resp.headers["Content-Type"].startswith("application/json")
    return (await resp.json())["error"]


async def test_a_remote_caller_without_the_key_reaches_only_anonymous_functions(host, http):
    async with http.post(f"{host.base_url}/api/hook", headers=TUNNEL) as resp:
        assert resp.status == 202
        hooked = await resp.text()
    async with http.post(f"{host.base_url}/api/start", headers=TUNNEL) as resp:
        assert "host key" in await refused(resp, 401)
    async with http.get(f"{host.base_url}/api/ops/ping", headers=TUNNEL) as resp:
        await refused(resp, 401)
    for path in (f"{MANAGEMENT}/instances", "/durabletask/instances",
                 f"{MANAGEMENT}/instances/{hooked}", "/_devhost/dashboard/",
                 "/_devhost/api/instances", "/_devhost/api/changes"):
        async with http.get(f"{host.base_url}{path}", headers=TUNNEL) as resp:
            await refused(resp, 401)
    assert [i["instanceId"] for i in await instances(host, http)] == [hooked]


async def test_a_remote_caller_without_the_key_cannot_raise_terminate_or_start(host, http):
    instance_id = await waiting_instance(host, http)
    base = f"{host.base_url}{MANAGEMENT}"
    for url in (f"{base}/instances/{instance_id}/raiseEvent/decision",
                f"{base}/instances/{instance_id}/terminate?reason=x",
                f"{base}/orchestrators/waiting",
                f"{host.base_url}/durabletask/instances/{instance_id}/raiseEvent/decision"):
        async with http.post(url, json={"approved": True}, headers=TUNNEL) as resp:
            await refused(resp, 401)
    await host.settle()
    assert len(await instances(host, http)) == 1
    assert (await host.get_status(instance_id))["runtimeStatus"] == "Running"


async def test_the_host_key_opens_functions_management_and_dashboard_remotely(host, http, key):
    async with http.post(f"{host.base_url}/api/start", data=b"by-header",
                         headers={**TUNNEL, "x-functions-key": key}) as resp:
        assert resp.status == 202  # the function's durable client reached devhost over loopback
        instance_id = (await resp.json())["id"]
    async with http.post(f"{host.base_url}/api/start?code={key}", data=b"by-query",
                         headers=TUNNEL) as resp:
        assert resp.status == 202
    async with http.get(f"{host.base_url}/api/ops/ping?code={key}", headers=TUNNEL) as resp:
        assert await resp.text() == "pong"
    async with http.get(f"{host.base_url}/_devhost/api/instances",
                        headers={**TUNNEL, "x-functions-key": key}) as resp:
        assert (await resp.json())["total"] == 2
    await host.wait_for_status(instance_id, "Running")
    url = f"{host.management_url}/instances/{instance_id}/raiseEvent/decision?code={key}"
    async with http.post(url, json="yes", headers=TUNNEL) as resp:
        assert resp.status == 202
    status = await host.wait_for_status(instance_id, "Completed")
    assert status["output"] == {"input": "by-header", "decision": "yes"}


async def test_a_wrong_key_is_refused_and_changes_nothing(host, http, key):
    for headers, query in (({"x-functions-key": key[:-1]}, ""), ({}, f"?code={key}x"),
                           ({"x-functions-key": ""}, "?code=")):
        async with http.post(f"{host.base_url}/api/start{query}",
                             headers={**TUNNEL, **headers}) as resp:
            await refused(resp, 401)
    assert await instances(host, http) == []


@pytest.mark.parametrize("name", ["localhost", "LOCALHOST.", "127.0.0.1", "127.0.0.2", "[::1]"])
async def test_loopback_names_are_local_and_need_no_key(host, http, name):
    port = host.base_url.rsplit(":", 1)[1]
    async with http.get(f"{host.base_url}/api/ops/ping", headers={"Host": f"{name}:{port}"}) as resp:
        assert await resp.text() == "pong"


@pytest.mark.parametrize("headers", [
    {"Host": "evil.example"},                 # DNS rebinding: evil.example resolves to 127.0.0.1
    {"Host": "localhost.evil.example"},
    {"Host": "127.0.0.1.nip.io"},
    {"Host": "localhost", "X-Forwarded-For": "203.0.113.9"},   # a tunnel that rewrote Host
    {"Host": "localhost", "Forwarded": "for=203.0.113.9"},
    {"Host": "localhost:bad"},
])
async def test_other_names_and_forwarded_requests_are_remote(host, http, headers):
    async with http.post(f"{host.base_url}/api/start", headers=headers) as resp:
        await refused(resp, 401)
    async with http.get(f"{host.management_url}/instances", headers=headers) as resp:
        await refused(resp, 401)
    assert await instances(host, http) == []


@pytest.mark.parametrize("headers", [
    {"Origin": "http://127.0.0.1:1"},
    {"Origin": "http://evil.example"},
    {"Origin": "null"},                                     # sandboxed frame, file: page
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},                       # another port on localhost
    {"Origin": "http://localhost:1", "Sec-Fetch-Site": "same-site"},
])
async def test_cross_site_changes_are_refused_even_to_anonymous_functions(host, http, key, headers):
    instance_id = await waiting_instance(host, http)
    base = f"{host.management_url}/instances/{instance_id}"
    for url in (f"{host.base_url}/api/start", f"{host.base_url}/api/hook",
                f"{host.base_url}/api/start?code={key}",
                f"{base}/raiseEvent/decision", f"{base}/terminate?reason=x", f"{base}/suspend",
                f"{host.management_url}/orchestrators/waiting"):
        async with http.post(url, data=b'"yes"', headers=headers) as resp:
            assert "cross-site" in await refused(resp, 403)
    async with http.delete(base, headers=headers) as resp:
        await refused(resp, 403)
    await host.settle()
    assert [i["instanceId"] for i in await instances(host, http)] == [instance_id]
    assert (await host.get_status(instance_id))["runtimeStatus"] == "Running"


async def test_same_origin_pages_reads_and_clients_without_browser_headers_still_work(host, http):
    same_origin = {"Origin": host.base_url, "Sec-Fetch-Site": "same-origin"}
    for headers in (same_origin, {"Sec-Fetch-Site": "none"}, {}):
        async with http.post(f"{host.base_url}/api/start", headers=headers) as resp:
            assert resp.status == 202
    async with http.get(f"{host.management_url}/instances",
                        headers={"Origin": "http://evil.example",
                                 "Sec-Fetch-Site": "cross-site"}) as resp:
        assert resp.status == 200  # a read; without CORS headers the page cannot see it
        assert "Access-Control-Allow-Origin" not in resp.headers
    assert len(await instances(host, http)) == 3


def _outward_address() -> str | None:
    """This machine's address on its default route, when it has one (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


async def test_the_bound_address_is_local_from_this_machine(tmp_path, http):
    address = _outward_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback")
    host = DevHost(HostConfig(app_dir=APPS / "keyed", host=address, port=0,
                              db_path=tmp_path / "hub.sqlite3"))
    await host.start()
    try:
        async with http.post(f"{host.base_url}/api/start", data=b"lan") as resp:
            assert resp.status == 202  # and its durable client called back on the bound address
        async with http.get(f"{host.base_url}/api/ops/ping", headers=TUNNEL) as resp:
            await refused(resp, 401)
    finally:
        await host.stop()
