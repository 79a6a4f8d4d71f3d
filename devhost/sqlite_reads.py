"""Reading a SQLite task hub: instance queries, one instance's snapshot, the change token.

Shared by the engine's writer connection (`sqlite_store.SqliteStore`) and the dashboard's
read-only one (`SqliteReader`); WAL lets the reader see a consistent snapshot while the engine
commits. The table layout is described in `sqlite_store`.
"""
from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote

from .history import iso_time
from .store import LOCK_WAIT_SECONDS, ActivityRow, InstanceQuery, InstanceRow, InstanceSnapshot, StorageError, TimerRow

INSTANCE_COLUMNS = ", ".join(f.name for f in fields(InstanceRow))
TIMER_COLUMNS = ", ".join(f.name for f in fields(TimerRow))
ACTIVITY_COLUMNS = ", ".join(f.name for f in fields(ActivityRow))

P = ParamSpec("P")
R = TypeVar("R")


def storage_errors(method: Callable[P, R]) -> Callable[P, R]:
    """SQLite's transient failures (locked, busy, full, I/O) as the backend-neutral StorageError."""
    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            raise StorageError(str(exc)) from exc
    return call


def prefix_end(prefix: str) -> str | None:
    """The least text above every text that starts with `prefix`, so a prefix filter is an
    index range. SQLite's BINARY collation compares UTF-8 bytes, which is code point order."""
    head = prefix.rstrip("\U0010ffff")
    if not head:
        return None
    following = ord(head[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates cannot be stored; skip past them
        following = 0xE000
    return head[:-1] + chr(following)


def where(query: InstanceQuery, *, paging: bool = True) -> tuple[str, list[Any]]:
    """The WHERE clause of `query` (with its keyset position unless `paging` is False)."""
    clauses: list[str] = []
    params: list[Any] = []
    if query.statuses:
        clauses.append(f"runtime_status IN ({','.join('?' * len(query.statuses))})")
        params.extend(query.statuses)
    if query.name:
        clauses.append("name = ?")
        params.append(query.name)
    if query.id_prefix:
        clauses.append("instance_id >= ?")
        params.append(query.id_prefix)
        end = prefix_end(query.id_prefix)
        if end is not None:
            clauses.append("instance_id < ?")
            params.append(end)
    if query.created_from is not None:
        clauses.append("created_time >= ?")
        params.append(iso_time(query.created_from))
    if query.created_to is not None:
        clauses.append("created_time <= ?")
        params.append(iso_time(query.created_to))
    if paging and query.after is not None:
        clauses.append(f"(created_time, instance_id) {'<' if query.newest_first else '>'} (?, ?)")
        params.extend([query.after.created_time, query.after.instance_id])
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def instances_sql(query: InstanceQuery) -> tuple[str, list[Any]]:
    """The SELECT of `query`; every filter combination searches an index (no table scan)."""
    clause, params = where(query)
    order = "DESC" if query.newest_first else "ASC"
    sql = (f"SELECT {INSTANCE_COLUMNS} FROM instances {clause}"
           f" ORDER BY created_time {order}, instance_id {order} LIMIT ? OFFSET ?")
    return sql, [*params, -1 if query.limit is None else query.limit, query.offset]


class SqliteReads:
    """The InstanceReader half of the store, over any connection to the file."""
    db: sqlite3.Connection
    path: Path

    @storage_errors
    def instance(self, instance_id: str) -> InstanceRow | None:
        row = self.db.execute(f"SELECT {INSTANCE_COLUMNS} FROM instances WHERE instance_id = ?",
                              (instance_id,)).fetchone()
        return InstanceRow(*row) if row is not None else None

    @storage_errors
    def instances(self, query: InstanceQuery) -> list[InstanceRow]:
        sql, params = instances_sql(query)
        return [InstanceRow(*r) for r in self.db.execute(sql, params)]

    @storage_errors
    def count_by_status(self, query: InstanceQuery) -> dict[str, int]:
        clause, params = where(query, paging=False)
        rows = self.db.execute(
            f"SELECT runtime_status, COUNT(*) FROM instances {clause} GROUP BY runtime_status",
            params)
        return {status: count for status, count in rows}

    @storage_errors
    def names(self) -> list[str]:
        """Hops through the name index: a few look-ups, not a scan."""
        return [r[0] for r in self.db.execute(
            "WITH RECURSIVE names(name) AS (SELECT MIN(name) FROM instances UNION ALL"
            " SELECT (SELECT MIN(name) FROM instances WHERE name > names.name) FROM names"
            " WHERE names.name IS NOT NULL) SELECT name FROM names WHERE name IS NOT NULL")]

    @storage_errors
    def history(self, instance_id: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT event FROM history WHERE instance_id = ? ORDER BY seq", (instance_id,))]

    @storage_errors
    def snapshot(self, instance_id: str) -> InstanceSnapshot | None:
        own = not self.db.in_transaction
        if own:
            self.db.execute("BEGIN")
        try:
            instance = self.instance(instance_id)
            if instance is None:
                return None
            key = (instance_id, instance.execution_id)
            timers = [TimerRow(*r) for r in self.db.execute(
                f"SELECT {TIMER_COLUMNS} FROM timers WHERE instance_id = ? AND execution_id = ?"
                " ORDER BY fire_at", key)]
            activities = [ActivityRow(*r) for r in self.db.execute(
                f"SELECT {ACTIVITY_COLUMNS} FROM activities WHERE instance_id = ?"
                " AND execution_id = ? ORDER BY id", key)]
            return InstanceSnapshot(instance, self.history(instance_id), timers, activities)
        finally:
            if own:
                self.db.execute("COMMIT")

    @storage_errors
    def change_token(self) -> int:
        """PRAGMA data_version: changes whenever another connection commits."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]


class SqliteReader(SqliteReads):
    """A read-only connection to the file (the dashboard's)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
        self.db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        self.db.execute(f"PRAGMA busy_timeout={int(LOCK_WAIT_SECONDS * 1000)}")
        from .sqlite_entities import SqliteEntities  # it builds on this module's helpers
        self.entities = SqliteEntities(self.db)

    def close(self) -> None:
        self.db.close()
