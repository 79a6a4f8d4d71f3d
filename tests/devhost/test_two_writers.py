"""Two writers on one task hub: the HTTP process of a split devhost suspends or terminates an
instance while the background worker is in the middle of its episode. The episode sees, in the
transaction that would record it, that the instance changed, records nothing and runs again,
so the other writer's change stands (never a Failed instance, never work after a termination)."""
import logging
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from devhost.testing import run_devhost

APP = Path(__file__).parent / "apps" / "split_host"


@pytest.fixture
async def host():
    async with run_devhost(APP) as running:
        yield running


def history(db: Path, instance_id: str) -> list[int]:
    with closing(sqlite3.connect(db)) as conn:
        return [row[0] for row in conn.execute(
            "SELECT event_type FROM history WHERE instance_id = ? ORDER BY seq", (instance_id,))]


async def interrupted_by(host, action: str) -> tuple[str, dict]:
    """Start `interrupted`, whose first episode has the other writer `action` it; once settled,
    its id and status."""
    instance_id = await host.client.start_new("interrupted", None, {"db": str(host.db_path), "action": action})
    await host.settle()
    return instance_id, await host.get_status(instance_id)


async def test_a_suspension_during_an_episode_stands_and_the_instance_resumes_later(host, caplog):
    caplog.set_level(logging.ERROR, logger="devhost")
    instance_id, status = await interrupted_by(host, "suspend")
    assert status["runtimeStatus"] == "Suspended", status["output"]
    assert history(host.db_path, instance_id) == [19]  # ExecutionSuspended only: nothing recorded

    await host.client.resume(instance_id, "go on")
    status = await host.wait_for_status(instance_id, "Completed")
    assert status["output"] == "HI"
    assert not caplog.records


async def test_a_termination_during_an_episode_stands_and_nothing_runs_after_it(host, caplog):
    caplog.set_level(logging.ERROR, logger="devhost")
    instance_id, status = await interrupted_by(host, "terminate")
    assert status["runtimeStatus"] == "Terminated"
    assert status["output"] == "by the other writer"
    assert 4 not in history(host.db_path, instance_id)  # no TaskScheduled: the activity never ran
    with closing(sqlite3.connect(host.db_path)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM activities").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
    assert not caplog.records
