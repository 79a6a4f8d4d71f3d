"""An orchestrator that returns while one of its durable timers is neither fired nor cancelled
stays Running until that timer fires, as with the Durable extension: "All durable timers created
using this method must either expire or be cancelled ... before the orchestrator function
completes. Otherwise the underlying framework will keep the instance in the 'Running' state even
after the orchestrator function has completed" (Microsoft docs, durable timers); the same is
reported for Python in azure-functions-durable-python issue #573."""
import signal
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import azure.durable_functions as df
import pytest
from azure.durable_functions.models.utils import http_utils

from devhost.testing import run_devhost
from devhost.urls import DurableUrls
from testkit.devhost_process import devhost_process, poll, poll_status

APP = Path(__file__).parent / "apps" / "lingering_timers"


@pytest.fixture
async def host():
    async with run_devhost(APP, virtual_clock=True) as running:
        yield running


def armed_timers(db_path: Path) -> int:
    with closing(sqlite3.connect(db_path)) as db:
        return db.execute("SELECT COUNT(*) FROM timers").fetchone()[0]


async def decided(host, spec: dict) -> str:
    """Start `race`, answer it, and return once the function itself has returned."""
    iid = await host.client.start_new("race", None, spec)
    await host.wait_for_custom_status(iid, lambda c: c == "waiting")
    await host.client.raise_event(iid, "decision", "yes")
    await host.wait_for_custom_status(iid, lambda c: c == "done")
    await host.settle()
    return iid


async def history_kinds(host, iid: str) -> list[str]:
    status = await host.client.get_status(iid, show_history=True)
    return [e["EventType"] for e in status.historyEvents]


async def test_without_cancel_it_stays_running_until_the_timer_fires(host):
    iid = await decided(host, {"timeouts": [600]})
    status = await host.get_status(iid)
    assert status["runtimeStatus"] == "Running" and status["output"] is None
    assert status["customStatus"] == "done"

    await host.advance(timedelta(seconds=599))
    assert (await host.get_status(iid))["runtimeStatus"] == "Running"
    await host.advance(timedelta(seconds=1))
    status = await host.wait_for_status(iid, "Completed", timeout=0.5)
    assert status["output"] == {"decision": '"yes"'} and status["customStatus"] == "done"
    assert (await history_kinds(host, iid))[-2:] == ["TimerFired", "ExecutionCompleted"]
    assert armed_timers(host.db_path) == 0


async def test_with_cancel_it_completes_at_once(host):
    iid = await decided(host, {"timeouts": [600], "cancel": True})
    status = await host.wait_for_status(iid, "Completed", timeout=0.5)
    assert status["output"] == {"decision": '"yes"'}
    assert "TimerFired" not in await history_kinds(host, iid)
    assert armed_timers(host.db_path) == 0


async def test_it_waits_for_the_last_of_several_timers(host):
    iid = await decided(host, {"timeouts": [600, 1200]})
    await host.advance(timedelta(seconds=600))
    assert (await host.get_status(iid))["runtimeStatus"] == "Running"
    await host.advance(timedelta(seconds=600))
    status = await host.wait_for_status(iid, "Completed", timeout=0.5)
    assert status["output"] == {"decision": '"yes"'}
    assert (await history_kinds(host, iid)).count("TimerFired") == 2


async def test_a_timer_created_in_the_final_episode_holds_it_too(host):
    """The decision is buffered before the timer exists: the timer is created, loses the race
    and the function returns, all in one episode."""
    iid = await host.client.start_new("race", None, {"timeouts": [600], "after_first": True})
    await host.client.raise_event(iid, "decision", "early")
    await host.client.raise_event(iid, "first", None)
    await host.wait_for_custom_status(iid, lambda c: c == "done")
    await host.settle()
    assert (await host.get_status(iid))["runtimeStatus"] == "Running"
    assert armed_timers(host.db_path) == 1
    await host.advance(timedelta(seconds=600))
    status = await host.wait_for_status(iid, "Completed", timeout=0.5)
    assert status["output"] == {"decision": '"early"'}
    kinds = await history_kinds(host, iid)
    assert kinds.index("TimerCreated") < kinds.index("TimerFired") < kinds.index(
        "ExecutionCompleted")


async def test_events_raised_while_it_waits_are_accepted_and_change_nothing(host):
    iid = await decided(host, {"timeouts": [600]})
    await host.client.raise_event(iid, "decision", "again")  # Running: accepted (202)
    await host.settle()
    assert (await host.get_status(iid))["runtimeStatus"] == "Running"
    await host.advance(timedelta(seconds=600))
    status = await host.wait_for_status(iid, "Completed", timeout=0.5)
    assert status["output"] == {"decision": '"yes"'}
    assert (await history_kinds(host, iid)).count("EventRaised") == 2


async def test_terminate_while_it_waits(host):
    iid = await decided(host, {"timeouts": [600]})
    await host.client.terminate(iid, "no longer needed")
    status = await host.wait_for_status(iid, "Terminated", timeout=0.5)
    assert status["output"] == "no longer needed"
    assert armed_timers(host.db_path) == 0
    await host.advance(timedelta(seconds=600))
    status = await host.get_status(iid)
    assert status["runtimeStatus"] == "Terminated" and status["output"] == "no longer needed"


async def test_a_timer_firing_while_suspended_completes_it_on_resume(host):
    iid = await decided(host, {"timeouts": [600]})
    await host.client.suspend(iid, "hold")
    await host.advance(timedelta(seconds=600))
    assert (await host.get_status(iid))["runtimeStatus"] == "Suspended"
    await host.client.resume(iid, "go on")
    status = await host.wait_for_status(iid, "Completed", timeout=1)
    assert status["output"] == {"decision": '"yes"'}


async def test_a_parent_waits_for_its_child_to_really_complete(host):
    iid = await host.client.start_new("parent", None, {"timeouts": [600]})
    child = "child-of-parent"
    await host.wait_for_custom_status(child, lambda c: c == "waiting")
    await host.client.raise_event(child, "decision", "yes")
    await host.wait_for_custom_status(child, lambda c: c == "done")
    await host.settle()
    assert (await host.get_status(iid))["runtimeStatus"] == "Running"
    await host.advance(timedelta(seconds=600))
    status = await host.wait_for_status(iid, "Completed", timeout=1)
    assert status["output"] == {"decision": '"yes"'}


async def test_the_wait_survives_a_restart_of_the_host(tmp_path):
    db = tmp_path / "hub.sqlite3"
    async with run_devhost(APP, virtual_clock=True, db_path=db) as first:
        iid = await decided(first, {"timeouts": [600]})
        deadline = first.clock.now() + timedelta(seconds=600)
    async with run_devhost(APP, virtual_clock=True, db_path=db) as second:
        await second.settle()
        assert (await second.get_status(iid))["runtimeStatus"] == "Running"
        await second.advance(deadline - second.clock.now())
        status = await second.wait_for_status(iid, "Completed", timeout=0.5)
        assert status["output"] == {"decision": '"yes"'}


@pytest.mark.slow
async def test_a_killed_process_finishes_the_wait_after_restart(tmp_path):
    """SIGKILL a `python -m devhost` while the instance waits for its timer (real clock): the
    restarted process keeps it Running until the timer is due, then completes it."""
    db = tmp_path / "hub.sqlite3"
    async with aiohttp.ClientSession() as http:
        async with devhost_process(APP, db) as (proc, origin):
            client = df.DurableOrchestrationClient(
                DurableUrls(origin, "TestHubName").client_binding_json())
            iid = await client.start_new("race", None, {"timeouts": [3]})
            await poll(http, origin, iid, lambda s: s["customStatus"] == "waiting")
            await client.raise_event(iid, "decision", "yes")
            await poll(http, origin, iid, lambda s: s["customStatus"] == "done")
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
        await http_utils._close_session()
        with closing(sqlite3.connect(db)) as stored:
            assert stored.execute("SELECT runtime_status, pending_output FROM instances").fetchall() \
                == [("Running", '{"decision": "\\"yes\\""}')]
        assert armed_timers(db) == 1

        async with devhost_process(APP, db) as (proc, origin):
            status = await poll_status(http, origin, iid, {"Completed", "Failed"})
            assert status["runtimeStatus"] == "Completed"
            assert status["output"] == {"decision": '"yes"'}
            finished = datetime.fromisoformat(status["lastUpdatedTime"].replace("Z", "+00:00"))
            created = datetime.fromisoformat(status["createdTime"].replace("Z", "+00:00"))
            assert finished - created >= timedelta(seconds=3)  # not before the timer was due
