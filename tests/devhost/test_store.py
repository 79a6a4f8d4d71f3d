"""The SQLite store opens files written by older devhost versions and keeps what rows hold."""
import sqlite3
from contextlib import closing

from devhost.sqlite_store import SqliteStore
from devhost.store import InstanceRow

CREATED = "2024-05-01T12:00:00.000000Z"

# The instances table as the first devhost wrote it (before pending_output).
FIRST_INSTANCES = """
CREATE TABLE instances (
    instance_id TEXT PRIMARY KEY, name TEXT NOT NULL, execution_id TEXT NOT NULL,
    runtime_status TEXT NOT NULL, input TEXT, output TEXT, custom_status TEXT,
    created_time TEXT NOT NULL, last_updated_time TEXT NOT NULL,
    parent_instance_id TEXT, parent_execution_id TEXT, parent_task_id INTEGER,
    tasks TEXT NOT NULL DEFAULT '[]');
INSERT INTO instances (instance_id, name, execution_id, runtime_status, created_time,
                       last_updated_time)
VALUES ('old', 'flow', 'e1', 'Running', '2024-05-01T12:00:00.000000Z',
        '2024-05-01T12:00:00.000000Z');
"""


def test_an_older_file_gains_the_new_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "hub.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(FIRST_INSTANCES)
    store = SqliteStore(path)
    try:
        row = store.instance("old")
        assert row.runtime_status == "Running" and row.pending_output is None
        # Every ExecutionStarted an older devhost wrote says Version "": so does the new column.
        assert row.version == ""
    finally:
        store.close()
    store = SqliteStore(path)  # opening it again changes nothing
    store.close()


def test_a_version_and_no_version_stay_apart(tmp_path):
    """null (no version) and "" (an empty one) differ for versionMatchStrategy Strict."""
    store = SqliteStore(tmp_path / "hub.sqlite3")
    try:
        with store.transaction():
            for instance_id, version in (("none", None), ("empty", ""), ("one", "1.0")):
                store.insert_instance(InstanceRow(
                    instance_id=instance_id, name="flow", execution_id="e", runtime_status="Pending",
                    input=None, output=None, custom_status=None, created_time=CREATED,
                    last_updated_time=CREATED, version=version))
        assert [store.instance(i).version for i in ("none", "empty", "one")] == [None, "", "1.0"]
    finally:
        store.close()
