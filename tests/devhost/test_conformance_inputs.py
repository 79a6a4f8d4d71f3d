"""Conformance: payloads keep their type across every hop, as the extension and the SDK carry them.

The SDK serializes every payload with `df_dumps` (JSON text; a class with to_json/from_json as
a `{"__class__", "__module__", "__data__"}` envelope) and decodes it with `df_loads`. What the
extension stores in between decides what arrives: it stores a client start, a sub-orchestration
input and a continue-as-new input as a JSON *string* holding that text (the action's `input` is a
C# string that DTFx serializes again: OutOfProcOrchestrationShim.InvokeAPIFromAction and
CallSubOrchestratorAsync / ContinueAsNew in Azure/azure-functions-durable-extension), hands the
orchestrator `GetInputAsJson()` of it, and passes activity inputs, activity and orchestration
outputs and custom status through as JSON values. Events raised by the Python client arrive
JSON-encoded once more (its `raise_event` json.dumps the data, protocol doc trap T1).

Each test runs every sample kind in one devhost and compares what arrived with Azure's result.
"""
import json

import aiohttp
import pytest

from devhost.testing import RunningHost, run_devhost

POINT = {"type": "Point", "value": {"x": 3, "y": 4}}
SAMPLES = {"string": "hi", "number": 5, "float": 1.5, "bool": True, "null": None,
           "list": [1, "a"], "object": {"a": 1}}
KINDS = [*SAMPLES, "class"]


def described(kind: str) -> dict:
    """What `describe()` in the app reports when the sample of `kind` arrives intact."""
    if kind == "class":
        return POINT
    value = SAMPLES[kind]
    return {"type": {str: "str", int: "int", float: "float", bool: "bool", list: "list",
                     dict: "dict"}.get(type(value), "NoneType"), "value": value}


@pytest.fixture
async def host(payloads_app):
    async with run_devhost(payloads_app) as running:
        yield running


async def start(host: RunningHost, orchestrator: str, kind: str, *, wrap: bool = False) -> str:
    url = f"{host.base_url}/api/start/{orchestrator}/{kind}" + ("?wrap=1" if wrap else "")
    async with aiohttp.ClientSession() as http, http.post(url) as resp:
        assert resp.status == 200, await resp.text()
        return (await resp.json())["id"]


async def envelope(host: RunningHost, kind: str) -> str:
    """The sample of `kind` as df_dumps writes it, from the app itself."""
    async with aiohttp.ClientSession() as http, http.get(f"{host.base_url}/api/envelope/{kind}") as resp:
        return await resp.text()


async def outputs(host: RunningHost, orchestrator: str, *, wrap: bool = False) -> dict:
    ids = {kind: await start(host, orchestrator, kind, wrap=wrap) for kind in KINDS}
    result = {}
    for kind, instance_id in ids.items():
        status = await host.wait_for_status(instance_id, "Completed", "Failed")
        result[kind] = status["output"]
    return result


async def test_client_start_input_keeps_its_type(host):
    """`start_new(name, None, value)` -> `get_input()` == value, for every JSON type and a class
    (the client df_dumps it, the extension stores the JSON string, get_input df_loads it)."""
    assert await outputs(host, "start_input") == {kind: described(kind) for kind in KINDS}


async def test_activity_input_and_output_keep_their_type(host):
    """`call_activity(name, value)` hands the activity `value`; what the activity returns comes
    back to the orchestrator with its type (ActivityTriggerConverter decode/encode, §5.1)."""
    assert await outputs(host, "through_activity") == {
        kind: {"input": described(kind), "output": described(kind)} for kind in KINDS}


async def test_sub_orchestration_input_and_output_keep_their_type(host):
    """`call_sub_orchestrator(name, value)` -> the child's `get_input()` == value, and the
    child's return value reaches the parent with its type. A string used to arrive as bare
    text that get_input() could not decode. An orchestrator cannot return a class: the SDK
    checks its output with plain json.dumps and fails the child, as on Azure."""
    expected = {kind: {"input": described(kind), "output": described(kind)} for kind in SAMPLES}
    expected["class"] = {"input": POINT, "error": "Orchestrator function 'echo_orchestrator' "
                                                  "failed: Object of type Point is not JSON "
                                                  "serializable"}
    assert await outputs(host, "through_sub_orchestration") == expected


async def test_sub_orchestration_input_is_stored_like_a_client_start(host):
    """The child's status `input` is a JSON string holding JSON text, as for a client start:
    DTFx serializes the action's input text once more (CallSubOrchestratorAsync)."""
    parent = await start(host, "through_sub_orchestration", "object")
    await host.wait_for_status(parent, "Completed")
    child = await host.get_status(f"{parent}-child")
    started = await host.get_status(parent)
    assert child["input"] == '{"a": 1}' and started["input"] == '{"a": 1}'


async def test_continue_as_new_input_keeps_its_type(host):
    """`continue_as_new(value)` -> the next execution's `get_input()` == value (ContinueAsNew
    stores the action's input text as a JSON string, like a client start). A string used to
    arrive as bare text that get_input() could not decode."""
    assert await outputs(host, "through_continue_as_new", wrap=True) == {
        kind: described(kind) for kind in KINDS}


async def test_custom_status_keeps_its_type(host):
    """`set_custom_status(value)` shows in the status as the JSON value (a class as its df_dumps
    envelope); null stays null (protocol doc §5.3, falsy values are not sent)."""
    ids = {kind: await start(host, "custom_status", kind) for kind in KINDS}
    seen = {}
    for kind, instance_id in ids.items():
        await host.wait_for_status(instance_id, "Running")
        await host.engine.settle()
        seen[kind] = (await host.get_status(instance_id))["customStatus"]
    assert seen == {**SAMPLES, "class": json.loads(await envelope(host, "class"))}


async def test_event_raised_by_the_python_client_arrives_json_encoded(host):
    """`client.raise_event(id, name, value)` json.dumps the value and posts it JSON-encoded, so
    `wait_for_external_event` yields the *string* json.dumps(value) (trap T1, issue
    Azure/azure-functions-durable-python#295); a class cannot be sent (TypeError in the client)."""
    delivered, refused = {}, {}
    async with aiohttp.ClientSession() as http:
        for kind in KINDS:
            instance_id = await start(host, "custom_status", "string")
            async with http.post(f"{host.base_url}/api/raise/{instance_id}/{kind}") as resp:
                if resp.status != 202:
                    refused[kind] = (resp.status, (await resp.json())["error"].split(":")[0])
                    continue
            delivered[kind] = (await host.wait_for_status(instance_id, "Completed"))["output"]
    assert delivered == {kind: {"type": "str", "value": json.dumps(value)}
                         for kind, value in SAMPLES.items()}
    assert refused == {"class": (400, "TypeError")}


async def test_event_posted_as_json_arrives_as_its_value(host):
    """A JSON body posted to `sendEventPostUri` is stored as sent, and the orchestrator gets the
    value itself; a df_dumps envelope arrives as the class (EventRaised.Input -> df_loads)."""
    delivered = {}
    async with aiohttp.ClientSession() as http:
        for kind in KINDS:
            instance_id = await start(host, "custom_status", "string")
            url = f"{host.management_url}/instances/{instance_id}/raiseEvent/payload"
            async with http.post(url, data=await envelope(host, kind),
                                 headers={"Content-Type": "application/json"}) as resp:
                assert resp.status == 202
            delivered[kind] = (await host.wait_for_status(instance_id, "Completed"))["output"]
    assert delivered == {kind: described(kind) for kind in KINDS}


async def test_a_raw_json_start_body_reaches_the_sdk_as_parsed(host):
    """A JSON body posted straight to the start URL (not through the Python client) is stored as
    sent and handed to the SDK parsed (`GetInputAsJson()`): an object works, because the SDK
    re-dumps a dict, but a list cannot be decoded by `get_input()`, so the instance fails as on
    Azure instead of working only locally."""
    started = {}
    async with aiohttp.ClientSession() as http:
        for kind, body in (("object", b'{"a": 1}'), ("list", b"[1, 2]")):
            async with http.post(f"{host.management_url}/orchestrators/start_input", data=body,
                                 headers={"Content-Type": "application/json"}) as resp:
                started[kind] = (await resp.json())["id"]
    done = await host.wait_for_status(started["object"], "Completed")
    failed = await host.wait_for_status(started["list"], "Completed", "Failed")
    assert done["output"] == {"type": "dict", "value": {"a": 1}}
    assert failed["runtimeStatus"] == "Failed"
    assert "the JSON object must be str, bytes or bytearray, not list" in failed["output"]
