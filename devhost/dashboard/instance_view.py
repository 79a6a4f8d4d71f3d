"""The JSON of one instance page: its status, what it waits for now, and its timeline."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..history import iso_time, parse_time
from ..status import json_value
from ..store import TERMINAL, InstanceRow, InstanceSnapshot
from .timeline import Item, build_timeline, timeline_json
from .waits import OpenWaits


def decoded(text: str | None) -> Any:
    """A stored JSON value; a string that itself holds a JSON object/array is shown decoded
    (the HTTP starter passes its input as JSON text)."""
    value = json_value(text)
    if isinstance(value, str):
        inner = json_value(value)
        if isinstance(inner, (dict, list)):
            return inner
    return value


def summary_json(row: InstanceRow) -> dict[str, Any]:
    """One line of the instance list."""
    return {"instanceId": row.instance_id, "name": row.name,
            "runtimeStatus": row.runtime_status, "createdTime": row.created_time,
            "lastUpdatedTime": row.last_updated_time}


def waiting_json(snap: InstanceSnapshot, waits: OpenWaits,
                 items: list[Item] | None = None) -> dict[str, Any]:
    row = snap.instance
    if row.runtime_status in TERMINAL:
        return {"events": [], "eventsKnown": True, "timers": [], "activities": []}
    calls = [{"call": i.label} for i in items or [] if i.kind == "entity" and i.state == "running"]
    tasks = json.loads(row.tasks)
    retry = {t[0] for t in tasks if t[1] == "timer" and not t[3]}
    open_waits = waits.of(row, snap.history)
    return {
        "events": [{"name": name, "count": count}
                   for name, count in sorted((open_waits or {}).items())],
        "eventsKnown": open_waits is not None,
        "timers": [{"timerId": t.timer_id, "fireAt": iso_time(parse_time(t.fire_at_text)),
                    "retry": t.timer_id in retry} for t in snap.timers],
        "activities": [{"taskId": a.task_id, "name": a.name} for a in snap.activities],
        "entities": calls,
    }


def instance_json(snap: InstanceSnapshot, waits: OpenWaits, now: datetime) -> dict[str, Any]:
    row = snap.instance
    items = build_timeline(snap.history, json.loads(row.tasks),
                           {t.timer_id for t in snap.timers},
                           ended=row.runtime_status in TERMINAL)
    return {
        **summary_json(row),
        "executionId": row.execution_id,
        "parentInstanceId": row.parent_instance_id,
        "version": row.version,
        "input": decoded(row.input),
        "output": decoded(row.output),
        "customStatus": decoded(row.custom_status),
        "now": iso_time(now),
        "waiting": waiting_json(snap, waits, items),
        "timeline": timeline_json(items, now),
    }
