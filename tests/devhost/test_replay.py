"""Orchestrator code that no longer matches its history fails the instance with a clear message
(protocol doc §4.5); unsupported durable features fail it as 'not supported by devhost'."""
import textwrap

import pytest

from devhost.testing import run_devhost

HEADER = """
import azure.durable_functions as df
import azure.functions as func
app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)

@app.activity_trigger(input_name="x")
def first(x):
    return "first"

@app.activity_trigger(input_name="x")
def second(x):
    return "second"
"""

ORIGINAL = """
@app.orchestration_trigger(context_name="context")
def flow(context):
    a = yield context.call_activity("first", 1)
    e = yield context.wait_for_external_event("go")
    return [a, e]
"""

RENAMED_ACTIVITY = ORIGINAL.replace('call_activity("first", 1)', 'call_activity("second", 1)')
TIMER_INSTEAD = ORIGINAL.replace('context.call_activity("first", 1)',
                                 'context.create_timer(context.current_utc_datetime)')
DROPPED = """
@app.orchestration_trigger(context_name="context")
def flow(context):
    e = yield context.wait_for_external_event("go")
    return [e]
"""
COMPATIBLE = ORIGINAL.replace("return [a, e]", "return {'a': a, 'e': e}")


def write_app(path, body):
    path.mkdir(exist_ok=True)
    (path / "function_app.py").write_text(HEADER + textwrap.dedent(body))
    return path


async def run_changed(tmp_path, changed_body):
    db = tmp_path / "hub.sqlite3"
    async with run_devhost(write_app(tmp_path / "v1", ORIGINAL), db_path=db) as host:
        iid = await host.client.start_new("flow")
        await host.settle()
        assert (await host.get_status(iid))["runtimeStatus"] == "Running"
    async with run_devhost(write_app(tmp_path / "v2", changed_body), db_path=db) as host:
        await host.client.raise_event(iid, "go", "now")
        return await host.wait_for_status(iid, "Completed", "Failed")


@pytest.mark.parametrize("body, expected", [
    (RENAMED_ACTIVITY, "but the current replay execution scheduled an activity task named 'second'"),
    (TIMER_INSTEAD, "but the current replay execution scheduled a timer"),
    (DROPPED, "hasn't (yet?) scheduled this task"),
])
async def test_changed_orchestrator_fails_with_a_non_determinism_message(tmp_path, body, expected):
    status = await run_changed(tmp_path, body)
    assert status["runtimeStatus"] == "Failed"
    assert status["output"].startswith("Orchestrator function 'flow' failed: "
                                       "Non-Deterministic workflow detected")
    assert expected in status["output"]
    assert "activity task named 'first' with sequence ID 0" in status["output"]


async def test_compatible_change_keeps_running(tmp_path):
    status = await run_changed(tmp_path, COMPATIBLE)
    assert status["runtimeStatus"] == "Completed"
    assert status["output"] == {"a": "first", "e": '"now"'}


async def test_call_http_is_reported_as_not_supported(tmp_path):
    app = write_app(tmp_path / "http", """
    @app.orchestration_trigger(context_name="context")
    def flow(context):
        yield context.call_http("GET", "http://127.0.0.1:9/")
    """)
    async with run_devhost(app) as host:
        iid = await host.client.start_new("flow")
        status = await host.wait_for_status(iid, "Failed")
    assert "call_http is not supported by devhost" in status["output"]


async def test_a_changed_entity_call_fails_with_a_non_determinism_message(tmp_path):
    entity = """
    @app.entity_trigger(context_name="context")
    def Counter(context):
        context.set_result(context.get_state(lambda: 0))

    @app.orchestration_trigger(context_name="context")
    def flow(context):
        a = yield context.call_entity(df.EntityId("Counter", "k"), "get")
        e = yield context.wait_for_external_event("go")
        return [a, e]
    """
    db = tmp_path / "hub.sqlite3"
    async with run_devhost(write_app(tmp_path / "v1", entity), db_path=db) as host:
        iid = await host.client.start_new("flow")
        await host.settle()
    changed = entity.replace('EntityId("Counter", "k")', 'EntityId("Counter", "other")')
    async with run_devhost(write_app(tmp_path / "v2", changed), db_path=db) as host:
        await host.client.raise_event(iid, "go", "now")
        status = await host.wait_for_status(iid, "Completed", "Failed")
    assert status["output"].startswith("Orchestrator function 'flow' failed: "
                                       "Non-Deterministic workflow detected")
    assert "a call to entity '@counter@k' with sequence ID 0" in status["output"]
