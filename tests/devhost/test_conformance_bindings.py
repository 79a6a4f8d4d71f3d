"""Conformance: a `durable_client_input` binding works on every kind of function devhost runs.

The Functions host resolves bindings per function, whatever its trigger: an activity that
declares `durable_client_input` gets the durable client JSON the extension builds
(BindingHelper.DurableOrchestrationClientToString in Azure/azure-functions-durable-extension),
the same JSON an HTTP function gets, and the SDK's wrapper turns it into a
DurableOrchestrationClient. devhost used to call such an activity without it (KeyError).
"""
import aiohttp
import pytest

from devhost.testing import run_devhost


@pytest.fixture
async def host(bindings_app):
    async with run_devhost(bindings_app) as running:
        yield running


async def test_an_activity_with_a_durable_client_starts_and_reads_orchestrations(host):
    """An activity's client starts an orchestration and reads its caller's status."""
    parent_id = await host.client.start_new("spawner")
    status = await host.wait_for_status(parent_id, "Completed", "Failed")
    assert status["runtimeStatus"] == "Completed", status["output"]
    result = status["output"]
    assert result["child_id"] == f"{parent_id}-spawned"
    assert result["parent_status"] == "Running"
    child = await host.wait_for_status(result["child_id"], "Completed")
    assert child["output"] == f"spawned with {parent_id}"


async def test_an_activity_gets_the_same_client_json_as_an_http_function(host):
    """The management URLs an activity's client builds are the ones an HTTP function's builds."""
    parent_id = await host.client.start_new("spawner")
    status = await host.wait_for_status(parent_id, "Completed", "Failed")
    async with aiohttp.ClientSession() as http, \
            http.get(f"{host.base_url}/api/management/{parent_id}") as resp:
        from_http = await resp.json()
    assert status["output"]["payload"] == from_http
    assert from_http["statusQueryGetUri"].startswith(f"{host.base_url}/runtime/webhooks/")
