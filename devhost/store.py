"""SQLite state of a devhost task hub (WAL, one writer connection).

Every state change is one transaction, so killing the process at any instant loses nothing
that was acknowledged. Other processes (the dashboard) may read the file while the host runs.

Schema (times are ISO-8601 UTC strings like 2024-05-01T12:00:00.123456Z unless noted):

instances          one row per orchestration instance (the current execution)
  instance_id        TEXT PRIMARY KEY
  name               TEXT     orchestrator function name
  execution_id       TEXT     changes on continue-as-new and restart
  runtime_status     TEXT     Pending | Running | Completed | ContinuedAsNew | Failed |
                              Terminated | Suspended
  input              TEXT     JSON text of the input (NULL: none)
  output             TEXT     JSON text of the output; for Failed the JSON string
                              "Orchestrator function '<name>' failed: <error>"; for Terminated the reason
  custom_status      TEXT     JSON text of the custom status (NULL: none)
  created_time       TEXT
  last_updated_time  TEXT
  parent_instance_id TEXT, parent_execution_id TEXT, parent_task_id INTEGER   (sub-orchestrations)
  tasks              TEXT     JSON [[task_id, kind, name, primary], ...] scheduled in this execution
  pending_output     TEXT     set while the orchestrator function has returned but a durable timer
                              it neither awaited nor cancelled is still armed: the JSON text of
                              the output it returned ("null" for none). The instance stays Running
                              and completes with this output when its last armed timer fires, as
                              the extension does. NULL otherwise. (Added later: older files get
                              the column on open.)
  indexed by created_time, and by (runtime_status | name, created_time, instance_id) for the
  dashboard's filtered keyset paging
history            the durable history of each instance's current execution, in order
  instance_id TEXT, seq INTEGER (0..), event_type INTEGER (DTFx EventType),
  event TEXT (the HistoryEvent JSON exactly as sent to the SDK)
messages           new events not yet given to the orchestrator (ExecutionStarted, EventRaised,
                   TaskCompleted, TimerFired, ...): id INTEGER (order), instance_id TEXT, event TEXT
timers             armed durable timers: id INTEGER, instance_id TEXT, execution_id TEXT,
                   timer_id INTEGER (task id), fire_at REAL (unix seconds, indexed), fire_at_text TEXT
activities         activities scheduled and not yet finished (re-run after a crash):
                   id INTEGER, instance_id TEXT, execution_id TEXT, task_id INTEGER, name TEXT, input TEXT
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TERMINAL = ("Completed", "Failed", "Terminated", "Canceled")
ACTIVE = ("Running", "Pending", "Suspended", "ContinuedAsNew")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS instances (
    instance_id TEXT PRIMARY KEY, name TEXT NOT NULL, execution_id TEXT NOT NULL,
    runtime_status TEXT NOT NULL, input TEXT, output TEXT, custom_status TEXT,
    created_time TEXT NOT NULL, last_updated_time TEXT NOT NULL,
    parent_instance_id TEXT, parent_execution_id TEXT, parent_task_id INTEGER,
    tasks TEXT NOT NULL DEFAULT '[]', pending_output TEXT);
CREATE INDEX IF NOT EXISTS instances_by_created ON instances(created_time);
CREATE INDEX IF NOT EXISTS instances_by_status ON instances(runtime_status, created_time, instance_id);
CREATE INDEX IF NOT EXISTS instances_by_name ON instances(name, created_time, instance_id);
CREATE TABLE IF NOT EXISTS history (
    instance_id TEXT NOT NULL, seq INTEGER NOT NULL, event_type INTEGER NOT NULL,
    event TEXT NOT NULL, PRIMARY KEY (instance_id, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, event TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_by_instance ON messages(instance_id, id);
CREATE TABLE IF NOT EXISTS timers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, execution_id TEXT NOT NULL,
    timer_id INTEGER NOT NULL, fire_at REAL NOT NULL, fire_at_text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS timers_by_fire_at ON timers(fire_at);
CREATE INDEX IF NOT EXISTS timers_by_instance ON timers(instance_id, timer_id);
CREATE TABLE IF NOT EXISTS activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, execution_id TEXT NOT NULL,
    task_id INTEGER NOT NULL, name TEXT NOT NULL, input TEXT);
CREATE INDEX IF NOT EXISTS activities_by_instance ON activities(instance_id);
"""
# Columns added after the first release: (table, column, declaration). A file written by an
# older devhost gets them with ALTER TABLE when it is opened.
_ADDED_COLUMNS = [("instances", "pending_output", "TEXT")]


class DatabaseInUse(Exception):
    """Another devhost process holds this database."""


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock_file = open(f"{path}.lock", "a+")
        try:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise DatabaseInUse(
                f"another devhost is already running on {path}; stop it or pass --db") from None
        self._lock_file.truncate(0)
        self._lock_file.write(str(os.getpid()))
        self._lock_file.flush()
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=5000")
        self.db.executescript(_SCHEMA)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        with self.transaction():
            for table, column, declaration in _ADDED_COLUMNS:
                present = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    def close(self) -> None:
        self.db.close()
        fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
        self._lock_file.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- instances -------------------------------------------------------------------------
    def instance(self, instance_id: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM instances WHERE instance_id = ?",
                               (instance_id,)).fetchone()

    def insert_instance(self, row: dict[str, Any]) -> None:
        cols = ", ".join(row)
        marks = ", ".join("?" * len(row))
        self.db.execute(f"INSERT INTO instances ({cols}) VALUES ({marks})", tuple(row.values()))

    def update_instance(self, instance_id: str, **fields: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE instances SET {sets} WHERE instance_id = ?",
                        (*fields.values(), instance_id))

    def query_instances(self, where: str, params: Sequence[Any], limit: int = -1,
                        offset: int = 0) -> list[sqlite3.Row]:
        sql = f"SELECT * FROM instances {where} ORDER BY created_time, instance_id LIMIT ? OFFSET ?"
        return self.db.execute(sql, (*params, limit, offset)).fetchall()

    def delete_instance(self, instance_id: str) -> None:
        """Remove an instance and everything it owns (purge, or replacing a finished one)."""
        for table in ("instances", "history", "messages", "timers", "activities"):
            self.db.execute(f"DELETE FROM {table} WHERE instance_id = ?", (instance_id,))

    # -- history ---------------------------------------------------------------------------
    def history(self, instance_id: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT event FROM history WHERE instance_id = ? ORDER BY seq", (instance_id,))]

    def history_length(self, instance_id: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM history WHERE instance_id = ?",
                               (instance_id,)).fetchone()[0]

    def append_history(self, instance_id: str, first_seq: int,
                       events: Sequence[tuple[int, str]]) -> None:
        self.db.executemany(
            "INSERT INTO history (instance_id, seq, event_type, event) VALUES (?, ?, ?, ?)",
            [(instance_id, first_seq + i, t, e) for i, (t, e) in enumerate(events)])

    def clear_history(self, instance_id: str) -> None:
        self.db.execute("DELETE FROM history WHERE instance_id = ?", (instance_id,))

    # -- messages --------------------------------------------------------------------------
    def add_message(self, instance_id: str, event_json: str) -> None:
        self.db.execute("INSERT INTO messages (instance_id, event) VALUES (?, ?)",
                        (instance_id, event_json))

    def messages(self, instance_id: str) -> list[sqlite3.Row]:
        return self.db.execute("SELECT id, event FROM messages WHERE instance_id = ? ORDER BY id",
                               (instance_id,)).fetchall()

    def delete_messages(self, instance_id: str, up_to_id: int) -> None:
        self.db.execute("DELETE FROM messages WHERE instance_id = ? AND id <= ?",
                        (instance_id, up_to_id))

    def instances_with_messages(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT instance_id FROM messages")]

    # -- timers ----------------------------------------------------------------------------
    def add_timer(self, instance_id: str, execution_id: str, timer_id: int, fire_at: float,
                  fire_at_text: str) -> int:
        cur = self.db.execute(
            "INSERT INTO timers (instance_id, execution_id, timer_id, fire_at, fire_at_text)"
            " VALUES (?, ?, ?, ?, ?)", (instance_id, execution_id, timer_id, fire_at, fire_at_text))
        return cur.lastrowid

    def take_timer(self, row_id: int) -> sqlite3.Row | None:
        row = self.db.execute("SELECT * FROM timers WHERE id = ?", (row_id,)).fetchone()
        if row is not None:
            self.db.execute("DELETE FROM timers WHERE id = ?", (row_id,))
        return row

    def cancel_timer(self, instance_id: str, timer_id: int) -> None:
        self.db.execute("DELETE FROM timers WHERE instance_id = ? AND timer_id = ?",
                        (instance_id, timer_id))

    def armed_timers(self, instance_id: str, execution_id: str) -> int:
        """How many timers of this execution are neither fired nor cancelled."""
        return self.db.execute(
            "SELECT COUNT(*) FROM timers WHERE instance_id = ? AND execution_id = ?",
            (instance_id, execution_id)).fetchone()[0]

    def all_timers(self) -> list[tuple[float, int]]:
        return self.db.execute("SELECT fire_at, id FROM timers").fetchall()

    def drop_pending_work(self, instance_id: str) -> None:
        """Forget armed timers and unfinished activities (instance ended or restarted)."""
        self.db.execute("DELETE FROM timers WHERE instance_id = ?", (instance_id,))
        self.db.execute("DELETE FROM activities WHERE instance_id = ?", (instance_id,))

    # -- activities ------------------------------------------------------------------------
    def add_activity(self, instance_id: str, execution_id: str, task_id: int, name: str,
                     input_json: str | None) -> int:
        cur = self.db.execute(
            "INSERT INTO activities (instance_id, execution_id, task_id, name, input)"
            " VALUES (?, ?, ?, ?, ?)", (instance_id, execution_id, task_id, name, input_json))
        return cur.lastrowid

    def finish_activity(self, row_id: int) -> bool:
        """Delete the activity row; False when it was already gone (instance ended)."""
        return self.db.execute("DELETE FROM activities WHERE id = ?", (row_id,)).rowcount == 1

    def all_activities(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM activities ORDER BY id").fetchall()
