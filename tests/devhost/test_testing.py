"""The harness itself: several hosts per process, environment handling, waiting helpers."""
import asyncio
import os
from pathlib import Path

import pytest

from devhost.testing import run_devhost


async def test_several_hosts_one_after_another_each_with_a_fresh_app(basic_app):
    for round_ in range(3):
        async with run_devhost(basic_app) as host:
            iid = await host.client.start_new("approval", None, {"name": str(round_)})
            await host.client.raise_event(iid, "decision", True)
            status = await host.wait_for_status(iid, "Completed")
            assert status["output"]["greeting"] == f"Hello {round_}!"


async def test_two_hosts_at_once_on_separate_databases(basic_app):
    async with run_devhost(basic_app) as a, run_devhost(basic_app) as b:
        assert a.base_url != b.base_url and a.db_path != b.db_path
        ia = await a.client.start_new("two_waits")
        assert await b.get_status(ia) is None


async def test_env_is_set_for_the_host_and_restored_after(basic_app):
    os.environ.pop("SAMPLE_SETTING", None)
    async with run_devhost(basic_app, env={"SAMPLE_SETTING": "x"}):
        assert os.environ["SAMPLE_SETTING"] == "x"
    assert "SAMPLE_SETTING" not in os.environ


async def test_local_settings_only_when_asked(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "function_app.py").write_text((Path(__file__).parent / "apps/basic/function_app.py").read_text())
    (app / "local.settings.json").write_text('{"Values": {"SAMPLE_SETTING": "local"}}')
    os.environ.pop("SAMPLE_SETTING", None)
    async with run_devhost(app):
        assert "SAMPLE_SETTING" not in os.environ
    async with run_devhost(app, load_local_settings=True):
        assert os.environ["SAMPLE_SETTING"] == "local"
    assert "SAMPLE_SETTING" not in os.environ


async def test_db_path_is_kept_when_given(basic_app, tmp_path):
    db = tmp_path / "state.sqlite3"
    async with run_devhost(basic_app, db_path=db) as host:
        iid = await host.client.start_new("two_waits")
    assert db.exists()
    async with run_devhost(basic_app, db_path=db) as host:
        await host.client.raise_event(iid, "E", 1)
        assert (await host.wait_for_status(iid, "Completed"))["output"] == "1"


async def test_wait_for_status_times_out_with_the_last_status(basic_app):
    async with run_devhost(basic_app, virtual_clock=True) as host:
        iid = await host.client.start_new("long_sleep")
        with pytest.raises(TimeoutError, match="Running"):
            await host.wait_for_status(iid, "Completed", timeout=0.2)


async def test_advance_needs_a_virtual_clock(basic_app):
    async with run_devhost(basic_app) as host:
        with pytest.raises(RuntimeError):
            from datetime import timedelta
            await host.advance(timedelta(seconds=1))


async def test_wait_for_status_returns_what_the_status_api_answers(basic_app):
    async with run_devhost(basic_app) as host:
        iid = await host.client.start_new("approval", None, {"name": "Eve"})
        waiting = await host.wait_for_custom_status(iid, lambda c: c == {"stage": "waiting"})
        assert waiting == await host.get_status(iid)
        await host.client.raise_event(iid, "decision", True)
        done = await host.wait_for_status(iid, "Completed")
        assert done == await host.get_status(iid)
        assert set(done) == {"name", "instanceId", "runtimeStatus", "input", "customStatus",
                             "output", "createdTime", "lastUpdatedTime"}


async def test_a_change_is_never_missed_by_a_waiter_made_before_it(basic_app):
    """The awaitable from next_change() is bound to the changes after the call, even when it
    first runs later (as inside wait_for's task)."""
    async with run_devhost(basic_app) as host:
        engine = host._host.engine
        waiter = engine.next_change()
        engine.notify()
        await asyncio.wait_for(waiter, timeout=5)


async def test_wait_wakes_for_a_change_between_its_read_and_its_wait(basic_app):
    """A change that lands after the status read but before the wait starts must wake the wait;
    a wait that only ends at its deadline fails even if the status matches by then."""
    async with run_devhost(basic_app) as host:
        iid = await host.client.start_new("two_waits")
        await host.wait_for_status(iid, "Running")
        engine = host._host.engine
        reads = []

        def second_read_matches(_custom_status) -> bool:
            reads.append(1)
            if len(reads) == 1:
                asyncio.get_running_loop().call_soon(engine.notify)
            return len(reads) > 1

        status = await host.wait_for_custom_status(iid, second_read_matches, timeout=5)
        assert status["runtimeStatus"] == "Running" and len(reads) == 2


async def test_wait_that_reaches_its_deadline_fails_even_if_the_status_matches_later(basic_app):
    async with run_devhost(basic_app) as host:
        iid = await host.client.start_new("two_waits")
        await host.wait_for_status(iid, "Running")
        calls = []

        def matches_only_after_the_deadline(_custom_status) -> bool:
            calls.append(1)
            return len(calls) > 1

        with pytest.raises(TimeoutError):
            await host.wait_for_custom_status(iid, matches_only_after_the_deadline, timeout=0.1)
