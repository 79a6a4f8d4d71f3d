"""The status JSON of an instance (StatusResponsePayload, protocol doc §2.2)."""
from __future__ import annotations

import json
from typing import Any

from .history import parse_time
from .store import InstanceRow

_EVENT_NAMES = [
    "ExecutionStarted", "ExecutionCompleted", "ExecutionFailed", "ExecutionTerminated",
    "TaskScheduled", "TaskCompleted", "TaskFailed", "SubOrchestrationInstanceCreated",
    "SubOrchestrationInstanceCompleted", "SubOrchestrationInstanceFailed", "TimerCreated",
    "TimerFired", "OrchestratorStarted", "OrchestratorCompleted", "EventSent", "EventRaised",
    "ContinueAsNew", "GenericEvent", "HistoryState", "ExecutionSuspended", "ExecutionResumed"]
_STATUS_NAMES = {0: "Running", 1: "Completed", 2: "ContinuedAsNew", 3: "Failed", 4: "Canceled",
                 5: "Terminated", 6: "Pending", 7: "Suspended"}
_COMPLETIONS = {5, 6, 8, 9}


def json_value(text: str | None) -> Any:
    """A stored JSON text as a value; text that is not JSON comes back as a string."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def seconds_time(text: str) -> str:
    """Whole seconds, as the extension answers; the store's own form (history.iso_time) is cut
    rather than parsed, since every status read formats two of them."""
    if len(text) == 27 and text[19] == "." and text[-1] == "Z":
        return text[:19] + "Z"
    return parse_time(text).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_json(row: InstanceRow, *, show_input: bool = True) -> dict[str, Any]:
    return {
        "name": row.name,
        "instanceId": row.instance_id,
        "runtimeStatus": row.runtime_status,
        "input": json_value(row.input) if show_input else None,
        "customStatus": json_value(row.custom_status),
        "output": json_value(row.output),
        "createdTime": seconds_time(row.created_time),
        "lastUpdatedTime": seconds_time(row.last_updated_time),
    }


def history_events(stored: list[str], *, show_input: bool, show_output: bool) -> list[dict]:
    """The history as the status API shows it: scheduled events merged into their completions."""
    scheduled: dict[int, dict] = {}
    out: list[dict] = []
    for text in stored:
        e = json.loads(text)
        kind = e.pop("EventType")
        event_id = e.pop("EventId", -1)
        e.pop("IsPlayed", None)
        if kind in (12, 13):
            continue
        if kind in (4, 7):
            scheduled[event_id] = e
            continue
        if kind in _COMPLETIONS:
            source = scheduled.get(e.pop("TaskScheduledId", None), {})
            e["FunctionName"] = source.get("Name")
            e["ScheduledTime"] = source.get("Timestamp")
            if show_input:
                e["Input"] = json_value(source.get("Input"))
        if kind == 0:
            e["FunctionName"] = e.pop("Name", None)
            for key in ("OrchestrationInstance", "ParentInstance", "Version", "Tags"):
                e.pop(key, None)
        if kind == 1:
            e["OrchestrationStatus"] = _STATUS_NAMES.get(e.get("OrchestrationStatus"), "Unknown")
        if kind == 11:
            e.pop("TimerId", None)
        if "Result" in e:
            if show_output:
                e["Result"] = json_value(e["Result"])
            else:
                del e["Result"]
        if "Input" in e and kind not in _COMPLETIONS:
            if show_input:
                e["Input"] = json_value(e["Input"])
            else:
                del e["Input"]
        out.append({"EventType": _EVENT_NAMES[kind], **e})
    return out
