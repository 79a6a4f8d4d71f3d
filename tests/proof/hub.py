"""Read-only views of a devhost task hub's SQLite file, for checks a status API can't answer."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TASK_SCHEDULED = 4
TIMER_FIRED = 11
OUTCOME_ACTIVITIES = ("process_approval", "escalate_approval", "cancel_approval")
ESCALATE_ACTIVITY = "escalate_approval"


@contextmanager
def reading(db_path: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10)
    try:
        yield db
    finally:
        db.close()


def outcome_actions(db_path: Path) -> dict[str, list[str]]:
    """instance id -> every scheduling of an outcome activity (name + input), in order. A retry
    of a failed attempt is scheduled again, so with Slack failing one outcome can appear more
    than once, always with the same name and input; without failures it appears exactly once."""
    found: dict[str, list[str]] = {}
    with reading(db_path) as db:
        for instance_id, event in db.execute("SELECT instance_id, event FROM history WHERE event_type = ? "
                                             "ORDER BY instance_id, seq", (TASK_SCHEDULED,)):
            data = json.loads(event)
            if data.get("Name") in OUTCOME_ACTIVITIES:
                found.setdefault(instance_id, []).append(f"{data['Name']}:{data.get('Input')}")
    return found


def unfinished_activities(db_path: Path, name: str) -> set[str]:
    """Instance ids with an activity ``name`` scheduled and not finished (it runs again on start)."""
    with reading(db_path) as db:
        return {iid for (iid,) in db.execute("SELECT instance_id FROM activities WHERE name = ?", (name,))}


def owed_deadlines(db_path: Path, moment: float) -> set[str]:
    """Instance ids whose deadline had come by ``moment`` (unix seconds) without its escalation
    being done: a timer due and not fired, a fired timer not yet handed to the orchestrator, or an
    escalation activity not finished. Read after a kill, it is what the host owed when it died."""
    with reading(db_path) as db:
        due = {iid for (iid,) in db.execute("SELECT instance_id FROM timers WHERE fire_at <= ?", (moment,))}
        fired = {iid for iid, event in db.execute("SELECT instance_id, event FROM messages")
                 if json.loads(event).get("EventType") == TIMER_FIRED}
        escalating = {iid for (iid,) in db.execute("SELECT instance_id FROM activities WHERE name = ?",
                                                   (ESCALATE_ACTIVITY,))}
    return due | fired | escalating


def next_deadlines(db_path: Path, after: float, before: float) -> list[float]:
    """The armed timers' fire times (unix seconds) in (after, before], soonest first."""
    with reading(db_path) as db:
        return [at for (at,) in db.execute("SELECT fire_at FROM timers WHERE fire_at > ? AND fire_at <= ? "
                                           "ORDER BY fire_at", (after, before))]


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
