"""Orchestrations run by the real SDK under devhost (protocol doc §3-§5)."""
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta

import aiohttp
import pytest

from devhost.testing import run_devhost


@pytest.fixture
async def host(basic_app):
    async with run_devhost(basic_app, virtual_clock=True) as running:
        yield running


async def test_event_wins_the_race_and_the_timer_is_cancelled(host):
    iid = await host.client.start_new("approval", None, {"name": "Ann"})
    await host.wait_for_custom_status(iid, lambda c: c == {"stage": "waiting"})
    await host.client.raise_event(iid, "decision", {"ok": True})
    status = await host.wait_for_status(iid, "Completed")
    # The Python client double-encodes event data: the orchestrator gets a JSON string (T1).
    assert status["output"] == {"greeting": "Hello Ann!", "decision": '{"ok": true}',
                                "outcome": "Async hello decided!"}
    assert status["customStatus"] == {"stage": "done"}
    with closing(sqlite3.connect(host.db_path)) as db:
        assert db.execute("SELECT COUNT(*) FROM timers").fetchone()[0] == 0


async def test_timer_wins_when_nobody_answers(host):
    iid = await host.client.start_new("approval", None, {"name": "Bo", "timeout": 600})
    await host.wait_for_custom_status(iid, lambda c: c == {"stage": "waiting"})
    await host.advance(timedelta(seconds=599))
    assert (await host.get_status(iid))["runtimeStatus"] == "Running"
    await host.advance(timedelta(seconds=1))
    status = await host.wait_for_status(iid, "Completed")
    assert status["output"] == {"greeting": "Hello Bo!", "decision": None}


async def test_seven_day_timer_fires_in_virtual_time(host):
    start = host.clock.now()
    iid = await host.client.start_new("long_sleep")
    await host.wait_for_status(iid, "Running")
    await host.advance(timedelta(days=7))
    status = await host.wait_for_status(iid, "Completed", timeout=2)
    assert datetime.fromisoformat(status["output"]) >= start + timedelta(days=7)


async def test_retry_succeeds_after_failures_with_retry_timers(host):
    iid = await host.client.start_new("retrying", None, {"key": "r1", "failures": 2})
    await host.settle()
    assert (await host.get_status(iid))["runtimeStatus"] == "Running"  # waiting on a retry timer
    await host.advance(timedelta(seconds=1))
    await host.advance(timedelta(seconds=1))
    status = await host.wait_for_status(iid, "Completed")
    assert status["output"] == {"result": "ok after 3"}


async def test_retry_gives_up_after_the_last_attempt_and_its_extra_timer(host):
    iid = await host.client.start_new("retrying", None, {"key": "r2", "failures": 10})
    for _ in range(3):
        await host.advance(timedelta(seconds=1))
    status = await host.wait_for_status(iid, "Completed")
    assert status["output"] == {"failed": "Activity function 'flaky' failed: RuntimeError: attempt 3 failed "}
    status = await host.client.get_status(iid, show_history=True)
    events = [e["EventType"] for e in status.historyEvents]
    # three attempts, two retry timers and the extra (dummy) timer after the last attempt
    assert events.count("TaskFailed") == 3 and events.count("TimerFired") == 3


async def test_nested_task_all_task_any_and_sub_orchestration(host):
    iid = await host.client.start_new("fan_out")
    await host.settle()
    await host.client.raise_event(iid, "go", "now")
    status = await host.wait_for_status(iid, "Completed")
    assert status["output"]["hellos"] == [f"Hello {i}!" for i in range(5)]
    assert status["output"]["child"] == {"input": {"k": 1}, "first": "Hello child!", "parent": iid}


async def test_sub_orchestration_with_retry_reports_the_final_failure(host):
    iid = await host.client.start_new("parent_with_retry")
    await host.settle()
    await host.advance(timedelta(seconds=1))
    status = await host.wait_for_status(iid, "Completed")
    assert status["output"] == "caught: Orchestrator function 'failing_child' failed: child broke "


async def test_continue_as_new_restarts_with_fresh_history(host):
    iid = await host.client.start_new("counter", None, 0)
    for _ in range(4):
        await host.advance(timedelta(seconds=1))
    status = await host.wait_for_status(iid, "Completed")
    assert status["output"] == 3
    assert status["input"] == "3"  # JSON text, as a client start's input (trap T1)


async def test_time_and_uuid_are_stable_across_replays(host):
    iid = await host.client.start_new("stable")
    await host.settle()
    await host.advance(timedelta(minutes=5))
    await host.client.raise_event(iid, "go")
    out = (await host.wait_for_status(iid, "Completed"))["output"]
    assert out["replayed"] == out["recorded"]  # the last replay computed the first episode's values
    first_time = datetime.fromisoformat(out["recorded"].split()[1])
    assert datetime.fromisoformat(out["now"]) - first_time >= timedelta(minutes=5)


async def test_a_blocked_sync_activity_blocks_neither_http_nor_other_instances(host):
    blocked = await host.client.start_new("gated")
    other = await host.client.start_new("activity_fails")
    assert (await host.wait_for_status(other, "Completed"))["runtimeStatus"] == "Completed"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{host.base_url}/api/hello/x") as resp:
            assert resp.status == 200
        assert (await host.get_status(blocked))["runtimeStatus"] == "Running"
        async with http.post(f"{host.base_url}/api/release") as resp:
            assert resp.status == 200
    assert (await host.wait_for_status(blocked, "Completed"))["output"] == "released"


async def test_event_raised_before_the_wait_is_buffered(host):
    iid = await host.client.start_new("two_waits")
    await host.client.raise_event(iid, "E", "early")
    status = await host.wait_for_status(iid, "Completed")
    assert status["output"] == '"early"'


async def test_orchestrator_exception_fails_the_instance_with_the_extension_text(host):
    iid = await host.client.start_new("failing")
    status = await host.wait_for_status(iid, "Failed")
    assert status["output"] == "Orchestrator function 'failing' failed: boom"


async def test_activity_exception_reaches_the_orchestrator_as_task_failed(host):
    iid = await host.client.start_new("activity_fails")
    status = await host.wait_for_status(iid, "Completed")
    assert status["output"] == "Activity function 'always_fails' failed: KeyError: 'nope' "


async def test_an_activity_can_declare_the_invocation_context(host):
    iid = await host.client.start_new("context_activity")
    assert (await host.wait_for_status(iid, "Completed"))["output"] == "hi in with_context"


async def test_call_http_fails_the_instance_as_not_supported(host):
    iid = await host.client.start_new("uses_http")
    status = await host.wait_for_status(iid, "Failed")
    assert "call_http is not supported by devhost" in status["output"]
