"""Read-only views of a devhost task hub's SQLite file, for checks a status API can't answer."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TASK_SCHEDULED = 4
OUTCOME_ACTIVITIES = ("process_approval", "escalate_approval")


@contextmanager
def reading(db_path: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10)
    try:
        yield db
    finally:
        db.close()


def outcome_actions(db_path: Path) -> dict[str, set[str]]:
    """instance id -> the distinct outcome activities scheduled (name + input): one means the
    orchestration acted on exactly one outcome, however often that activity was retried."""
    found: dict[str, set[str]] = {}
    with reading(db_path) as db:
        for instance_id, event in db.execute("SELECT instance_id, event FROM history WHERE event_type = ?",
                                             (TASK_SCHEDULED,)):
            data = json.loads(event)
            if data.get("Name") in OUTCOME_ACTIVITIES:
                found.setdefault(instance_id, set()).add(f"{data['Name']}:{data.get('Input')}")
    return found


def snapshot(db_path: Path) -> dict[str, Any]:
    """Everything that would change if a request changed state: instances, history, queued
    messages, timers and activities."""
    with reading(db_path) as db:
        return {
            "instances": db.execute(
                "SELECT instance_id, runtime_status, custom_status, output, last_updated_time FROM instances "
                "ORDER BY instance_id").fetchall(),
            "history": db.execute("SELECT COUNT(*) FROM history").fetchone()[0],
            "messages": db.execute("SELECT COUNT(*) FROM messages").fetchone()[0],
            "timers": db.execute("SELECT COUNT(*) FROM timers").fetchone()[0],
            "activities": db.execute("SELECT COUNT(*) FROM activities").fetchone()[0],
        }


def statuses(db_path: Path) -> dict[str, tuple[str, Any, Any]]:
    """instance id -> (runtime status, output, custom status), JSON decoded."""
    with reading(db_path) as db:
        rows = db.execute("SELECT instance_id, runtime_status, output, custom_status FROM instances").fetchall()
    return {iid: (status, json.loads(output) if output else None, json.loads(custom) if custom else None)
            for iid, status, output, custom in rows}
