"""The SQLite task hub (WAL, one writer connection): devhost's `TaskHubStore`.

Every state change is one transaction, so killing the process at any instant loses nothing
that was acknowledged. Other processes (the dashboard) may read the file while the host runs.

Tables (columns are the fields of the rows in `store`; times are store text unless noted):

instances   InstanceRow, instance_id PRIMARY KEY; indexed by created_time, and by
            (runtime_status | name, created_time, instance_id) for filtered keyset paging.
            pending_output and version were added later: older files get the columns
            on open (version '' for their rows: their ExecutionStarted says Version "").
history     instance_id, seq (0..), event_type (DTFx EventType), event (HistoryEvent JSON
            exactly as sent to the SDK): the current execution's history, in order
messages    MessageRow plus instance_id; id AUTOINCREMENT orders them
timers      TimerRow; fire_at REAL (unix seconds, indexed)
activities  ActivityRow
entities, entity_requests: see sqlite_entities (same connection, same transactions)
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

from .sqlite_entities import SqliteEntities
from .sqlite_reads import ACTIVITY_COLUMNS, INSTANCE_COLUMNS, SqliteReader, SqliteReads, storage_errors
from .store import (
    INSTANCE_FIELDS,
    LOCK_WAIT_SECONDS,
    ActivityRow,
    DatabaseInUse,
    InstanceReader,
    InstanceRow,
    MessageRow,
    StorageError,
    StoreUnusable,
    TimerRow,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS instances (
    instance_id TEXT PRIMARY KEY, name TEXT NOT NULL, execution_id TEXT NOT NULL,
    runtime_status TEXT NOT NULL, input TEXT, output TEXT, custom_status TEXT,
    created_time TEXT NOT NULL, last_updated_time TEXT NOT NULL,
    parent_instance_id TEXT, parent_execution_id TEXT, parent_task_id INTEGER,
    tasks TEXT NOT NULL DEFAULT '[]', pending_output TEXT, version TEXT DEFAULT '');
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
_ADDED_COLUMNS = [("instances", "pending_output", "TEXT"),
                  ("instances", "version", "TEXT DEFAULT ''")]
_FIELD_ORDER = [f.name for f in fields(InstanceRow)]
_INSERT_INSTANCE = (f"INSERT INTO instances ({INSTANCE_COLUMNS}) VALUES "
                    f"({', '.join('?' * len(_FIELD_ORDER))})")


def _unusable(path: Path, exc: sqlite3.Error) -> StoreUnusable:
    reason = str(exc)
    if "not a database" in reason or "malformed" in reason:
        return StoreUnusable(f"{path} is not a devhost database (SQLite: {reason}); "
                             "move it aside or pass --db with another file")
    return StoreUnusable(f"cannot use {path} as the devhost database (SQLite: {reason}); "
                         "pass --db with a writable file, or move this one aside")


class SqliteStore(SqliteReads):
    """The task hub in one SQLite file, locked against a second devhost.

    `joined` opens it for the background worker of the devhost that holds the lock."""

    def __init__(self, path: Path, joined: bool = False) -> None:
        self.path = path
        self._joined = joined
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._lock_file = open(f"{path}.lock", "a+")  # noqa: SIM115 - held open for the store's life
        except OSError as exc:
            reason = exc.strerror or str(exc)
            if path.parent.exists() and not path.parent.is_dir():
                reason = f"{path.parent} is not a directory"
            raise StoreUnusable(f"cannot create the devhost database {path}: {reason}; "
                                "pass --db with a file in a writable directory") from None
        if not joined:
            self._lock(path)
        try:
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.set_lock_wait(LOCK_WAIT_SECONDS)
            self.db.executescript(_SCHEMA)
            self.entities = SqliteEntities(self.db)
            self.entities.create_tables()
            self._add_missing_columns()
        except sqlite3.Error as exc:
            self._unlock()
            raise _unusable(path, exc) from None

    def _lock(self, path: Path) -> None:
        try:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise DatabaseInUse(
                f"another devhost is already running on {path}; stop it or pass --db") from None
        self._lock_file.truncate(0)
        self._lock_file.write(str(os.getpid()))
        self._lock_file.flush()

    def _add_missing_columns(self) -> None:
        with self.transaction():
            for table, column, declaration in _ADDED_COLUMNS:
                present = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    def _unlock(self) -> None:
        if not self._joined:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
        self._lock_file.close()

    def close(self) -> None:
        self.db.close()
        self._unlock()

    def open_reader(self) -> InstanceReader:
        return SqliteReader(self.path)

    def set_lock_wait(self, seconds: float) -> None:
        self.db.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.in_transaction:  # SQLite may already have rolled back (FULL, IOERR)
                    self.db.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise StorageError(str(exc)) from exc

    # -- instances -------------------------------------------------------------------------
    def insert_instance(self, row: InstanceRow) -> None:
        self.db.execute(_INSERT_INSTANCE, tuple(getattr(row, f) for f in _FIELD_ORDER))

    def update_instance(self, instance_id: str, **changes: Any) -> None:
        unknown = set(changes) - INSTANCE_FIELDS
        if unknown:
            raise ValueError(f"not InstanceRow fields: {sorted(unknown)}")
        sets = ", ".join(f"{k} = ?" for k in changes)
        self.db.execute(f"UPDATE instances SET {sets} WHERE instance_id = ?",
                        (*changes.values(), instance_id))

    def delete_instance(self, instance_id: str) -> None:
        for table in ("instances", "history", "messages", "timers", "activities"):
            self.db.execute(f"DELETE FROM {table} WHERE instance_id = ?", (instance_id,))

    # -- history ---------------------------------------------------------------------------
    @storage_errors
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

    @storage_errors
    def messages(self, instance_id: str) -> list[MessageRow]:
        return [MessageRow(*r) for r in self.db.execute(
            "SELECT id, event FROM messages WHERE instance_id = ? ORDER BY id", (instance_id,))]

    def delete_messages(self, instance_id: str, up_to_id: int) -> None:
        self.db.execute("DELETE FROM messages WHERE instance_id = ? AND id <= ?",
                        (instance_id, up_to_id))

    @storage_errors
    def instances_with_messages(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT instance_id FROM messages")]

    # -- timers ----------------------------------------------------------------------------
    def add_timer(self, instance_id: str, execution_id: str, timer_id: int, fire_at: float,
                  fire_at_text: str) -> int:
        cur = self.db.execute(
            "INSERT INTO timers (instance_id, execution_id, timer_id, fire_at, fire_at_text)"
            " VALUES (?, ?, ?, ?, ?)", (instance_id, execution_id, timer_id, fire_at, fire_at_text))
        return _row_id(cur)

    def take_timer(self, row_id: int) -> TimerRow | None:
        row = self.db.execute(
            "SELECT id, instance_id, execution_id, timer_id, fire_at, fire_at_text FROM timers"
            " WHERE id = ?", (row_id,)).fetchone()
        if row is None:
            return None
        self.db.execute("DELETE FROM timers WHERE id = ?", (row_id,))
        return TimerRow(*row)

    def cancel_timer(self, instance_id: str, timer_id: int) -> None:
        self.db.execute("DELETE FROM timers WHERE instance_id = ? AND timer_id = ?",
                        (instance_id, timer_id))

    @storage_errors
    def armed_timers(self, instance_id: str, execution_id: str) -> int:
        return self.db.execute(
            "SELECT COUNT(*) FROM timers WHERE instance_id = ? AND execution_id = ?",
            (instance_id, execution_id)).fetchone()[0]

    @storage_errors
    def timer_schedule(self) -> list[tuple[float, int]]:
        return self.db.execute("SELECT fire_at, id FROM timers").fetchall()

    def drop_pending_work(self, instance_id: str) -> None:
        self.db.execute("DELETE FROM timers WHERE instance_id = ?", (instance_id,))
        self.db.execute("DELETE FROM activities WHERE instance_id = ?", (instance_id,))

    # -- activities ------------------------------------------------------------------------
    def add_activity(self, instance_id: str, execution_id: str, task_id: int, name: str,
                     input_json: str | None) -> int:
        cur = self.db.execute(
            "INSERT INTO activities (instance_id, execution_id, task_id, name, input)"
            " VALUES (?, ?, ?, ?, ?)", (instance_id, execution_id, task_id, name, input_json))
        return _row_id(cur)

    def finish_activity(self, row_id: int) -> bool:
        return self.db.execute("DELETE FROM activities WHERE id = ?", (row_id,)).rowcount == 1

    @storage_errors
    def all_activities(self) -> list[ActivityRow]:
        return [ActivityRow(*r) for r in self.db.execute(
            f"SELECT {ACTIVITY_COLUMNS} FROM activities ORDER BY id")]


def _row_id(cursor: sqlite3.Cursor) -> int:
    """The id SQLite gave the row an INSERT just wrote."""
    assert cursor.lastrowid is not None
    return cursor.lastrowid
