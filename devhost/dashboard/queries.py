"""Read-only queries over a devhost store: the instance list (keyset paging) and one instance.

The dashboard opens the SQLite file read-only, next to the engine's writer connection; WAL
mode lets it read a consistent snapshot while the engine commits.
"""
from __future__ import annotations

import base64
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

STATUSES = ("Pending", "Running", "Suspended", "Completed", "Failed", "Terminated",
            "ContinuedAsNew", "Canceled")
MAX_PAGE = 200
_PREFIX_END = "\U0010ffff"  # sorts after every character under SQLite's BINARY collation


class BadQuery(ValueError):
    """A filter or cursor the dashboard API refuses with 400."""


@dataclass(frozen=True)
class InstanceFilter:
    statuses: tuple[str, ...] = ()
    name: str | None = None
    id_prefix: str | None = None

    def __post_init__(self) -> None:
        unknown = [s for s in self.statuses if s not in STATUSES]
        if unknown:
            raise BadQuery(f"unknown runtime status {unknown[0]!r} (known: {', '.join(STATUSES)})")

    def where(self, *, with_status: bool = True) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if with_status and self.statuses:
            clauses.append(f"runtime_status IN ({','.join('?' * len(self.statuses))})")
            params.extend(self.statuses)
        if self.name:
            clauses.append("name = ?")
            params.append(self.name)
        if self.id_prefix:
            clauses.append("instance_id >= ? AND instance_id < ?")
            params.extend([self.id_prefix, self.id_prefix + _PREFIX_END])
        return clauses, params


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the (created_time, instance_id) of its last row, newest first."""
    created_time: str
    instance_id: str

    def encode(self) -> str:
        raw = json.dumps([self.created_time, self.instance_id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            created, instance_id = json.loads(raw)
            if not isinstance(created, str) or not isinstance(instance_id, str):
                raise ValueError
        except (ValueError, TypeError):
            raise BadQuery("cursor is not one this dashboard handed out") from None
        return cls(created, instance_id)


@dataclass
class Page:
    rows: list[sqlite3.Row]
    next_cursor: Cursor | None


@dataclass
class Snapshot:
    """Everything the instance page shows, read in one transaction."""
    row: sqlite3.Row
    history: list[str]
    timers: list[sqlite3.Row] = field(default_factory=list)
    activities: list[sqlite3.Row] = field(default_factory=list)


class StoreReader:
    def __init__(self, path: Path) -> None:
        uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
        self.db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA busy_timeout=5000")

    def close(self) -> None:
        self.db.close()

    def data_version(self) -> int:
        """Changes whenever another connection (the engine) commits."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    @staticmethod
    def page_query(flt: InstanceFilter, after: Cursor | None, limit: int) -> tuple[str, list[Any]]:
        """The SQL of one page (one row more than `limit`, to know whether another follows)."""
        if not 1 <= limit <= MAX_PAGE:
            raise BadQuery(f"limit must be between 1 and {MAX_PAGE}")
        clauses, params = flt.where()
        if after is not None:
            clauses.append("(created_time, instance_id) < (?, ?)")
            params.extend([after.created_time, after.instance_id])
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        sql = ("SELECT instance_id, name, runtime_status, created_time, last_updated_time"
               f" FROM instances {where} ORDER BY created_time DESC, instance_id DESC LIMIT ?")
        return sql, [*params, limit + 1]

    def page(self, flt: InstanceFilter, after: Cursor | None, limit: int) -> Page:
        sql, params = self.page_query(flt, after, limit)
        rows = self.db.execute(sql, params).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1] if more else None
        return Page(rows, Cursor(last["created_time"], last["instance_id"]) if last else None)

    def counts(self, flt: InstanceFilter) -> dict[str, int]:
        """Instances per runtime status under the name/prefix filters (status filter ignored)."""
        clauses, params = flt.where(with_status=False)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.db.execute(
            f"SELECT runtime_status, COUNT(*) FROM instances {where} GROUP BY runtime_status",
            params).fetchall()
        return {status: count for status, count in rows}

    def names(self) -> list[str]:
        """Distinct orchestrator names, hopping through the name index (a few look-ups, not a scan)."""
        return [r[0] for r in self.db.execute(
            "WITH RECURSIVE names(name) AS (SELECT MIN(name) FROM instances UNION ALL"
            " SELECT (SELECT MIN(name) FROM instances WHERE name > names.name) FROM names"
            " WHERE names.name IS NOT NULL) SELECT name FROM names WHERE name IS NOT NULL")]

    def snapshot(self, instance_id: str) -> Snapshot | None:
        self.db.execute("BEGIN")
        try:
            row = self.db.execute("SELECT * FROM instances WHERE instance_id = ?",
                                  (instance_id,)).fetchone()
            if row is None:
                return None
            history = [r[0] for r in self.db.execute(
                "SELECT event FROM history WHERE instance_id = ? ORDER BY seq", (instance_id,))]
            timers = self.db.execute(
                "SELECT timer_id, fire_at, fire_at_text FROM timers WHERE instance_id = ?"
                " AND execution_id = ? ORDER BY fire_at", (instance_id, row["execution_id"])
            ).fetchall()
            activities = self.db.execute(
                "SELECT task_id, name FROM activities WHERE instance_id = ? AND execution_id = ?"
                " ORDER BY id", (instance_id, row["execution_id"])).fetchall()
            return Snapshot(row, history, timers, activities)
        finally:
            self.db.execute("COMMIT")
