"""Kill -9 at any moment loses nothing: a real `python -m devhost` process is SIGKILLed with
instances waiting on events, timers and activities, restarted on the same database, and every
instance finishes correctly."""
import asyncio
import signal
import sys

import aiohttp
import azure.durable_functions as df
import pytest
from azure.durable_functions.models.utils import http_utils

from devhost.urls import DurableUrls
from testkit.devhost_process import ROOT, devhost_process, poll_status

pytestmark = pytest.mark.slow


async def test_sigkill_and_restart_loses_no_instance_event_or_timer(basic_app, tmp_path):
    db = tmp_path / "hub.sqlite3"
    async with aiohttp.ClientSession() as http:
        async with devhost_process(basic_app, db) as (proc, origin):
            client = df.DurableOrchestrationClient(DurableUrls(origin, "TestHubName").client_binding_json())
            waiting = [await client.start_new("approval", None, {"name": f"w{i}", "timeout": 3600})
                       for i in range(5)]
            timed = [await client.start_new("approval", None, {"name": f"t{i}", "timeout": 1})
                     for i in range(3)]
            for iid in waiting + timed:
                await poll_status(http, origin, iid, {"Running"})
            raised_early = await client.start_new("two_waits")  # its 'slow' activity is in flight
            await client.raise_event(raised_early, "E", "kept")
            burst = [await client.start_new("approval", None, {"name": f"b{i}"}) for i in range(20)]
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
        await http_utils._close_session()
        await asyncio.sleep(1.2)  # the host is down: only the real clock can bring its timers due

        async with devhost_process(basic_app, db) as (proc, origin):
            client = df.DurableOrchestrationClient(DurableUrls(origin, "TestHubName").client_binding_json())
            for iid in timed:
                status = await poll_status(http, origin, iid, {"Completed"})
                assert status["output"]["decision"] is None  # the timer fired after the restart
            for iid in waiting + burst:
                await poll_status(http, origin, iid, {"Running"})
                await client.raise_event(iid, "decision", "yes")
            for iid in waiting + burst:
                status = await poll_status(http, origin, iid, {"Completed"})
                assert status["output"]["decision"] == '"yes"'
                assert status["output"]["greeting"].startswith("Hello ")
            status = await poll_status(http, origin, raised_early, {"Completed"})
            assert status["output"] == '"kept"'
            await http_utils._close_session()


async def test_second_process_on_the_same_database_refuses_to_start(basic_app, tmp_path):
    db = tmp_path / "hub.sqlite3"
    async with devhost_process(basic_app, db):
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "devhost", "--app-dir", str(basic_app), "--port", "0",
            "--db", str(db), cwd=ROOT, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(second.communicate(), 20)
        assert second.returncode == 1
        assert "another devhost is already running" in err.decode()


async def test_ctrl_c_stops_cleanly(basic_app, tmp_path):
    async with devhost_process(basic_app, tmp_path / "hub.sqlite3") as (proc, origin):
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 10) == 0


async def acknowledged(calls, enough):
    """Run calls concurrently; return the results of those that succeeded once `enough` have."""
    done = []
    pending = {asyncio.ensure_future(c) for c in calls}
    while pending and len(done) < enough:
        finished, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        done.extend(f.result() for f in finished if f.exception() is None)
    return done, pending


async def test_sigkill_in_the_middle_of_starts_and_decisions(basic_app, tmp_path):
    """Kill while starts are being answered, then while decisions are being answered: every
    acknowledged start and decision survives, and every instance ends correctly."""
    db = tmp_path / "hub.sqlite3"
    async with aiohttp.ClientSession() as http:
        async with devhost_process(basic_app, db) as (proc, origin):
            client = df.DurableOrchestrationClient(DurableUrls(origin, "TestHubName").client_binding_json())
            started, rest = await acknowledged(
                [client.start_new("approval", None, {"name": f"n{i}"}) for i in range(40)], 20)
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            await asyncio.gather(*rest, return_exceptions=True)
        await http_utils._close_session()

        async with devhost_process(basic_app, db) as (proc, origin):
            client = df.DurableOrchestrationClient(DurableUrls(origin, "TestHubName").client_binding_json())
            for iid in started:
                await poll_status(http, origin, iid, {"Running"})

            async def decide(iid):
                await client.raise_event(iid, "decision", "ok")
                return iid

            decided, rest = await acknowledged([decide(i) for i in started], len(started) // 2)
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            await asyncio.gather(*rest, return_exceptions=True)
        await http_utils._close_session()

        async with devhost_process(basic_app, db) as (proc, origin):
            client = df.DurableOrchestrationClient(DurableUrls(origin, "TestHubName").client_binding_json())
            for iid in set(started) - set(decided):  # unacknowledged: maybe stored, maybe not
                try:
                    await client.raise_event(iid, "decision", "ok")
                except Exception as exc:
                    assert "is gone" in str(exc)  # it was stored and has already finished
            for iid in started:
                status = await poll_status(http, origin, iid, {"Completed", "Failed"})
                assert status["runtimeStatus"] == "Completed"
                assert status["output"]["decision"] == '"ok"'
            await http_utils._close_session()
