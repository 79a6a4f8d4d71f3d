"""An instance's durable history as timeline items: spans (activities, timers, sub-orchestrations)
and moments (start, events raised, suspend/resume, the end), each with its state and reason."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from ..history import EventType, iso_time, parse_time
from ..status import json_value

_END_STATES = {0: "running", 1: "completed", 2: "continued as new", 3: "failed", 4: "canceled",
               5: "terminated", 6: "pending", 7: "suspended"}


@dataclass
class Item:
    kind: str             # activity | timer | retry-timer | suborchestration | entity | signal
    #                       | event | lifecycle
    label: str
    state: str            # running | completed | failed | pending | fired | cancelled | raised | ...
    start: str            # ISO UTC
    end: str | None = None    # None: a moment, or a span still open
    detail: str | None = None  # failure reason, event payload, timer fire time...
    duration_ms: float | None = None
    task_id: int | None = None
    due: str | None = None    # timers: when it was (or is) set to fire


def _compact(text: str | None) -> str | None:
    """A stored JSON text as one short line (payloads shown in the timeline)."""
    if text is None:
        return None
    value = json_value(text)
    if isinstance(value, str):
        inner = json_value(value)
        value = inner if isinstance(inner, (dict, list)) else value
    line = value if isinstance(value, str) else json.dumps(value, separators=(", ", ": "))
    return line if len(line) <= 300 else line[:299] + "…"


def _time(event: dict[str, Any]) -> str:
    return iso_time(parse_time(event["Timestamp"]))


def _duration(start: str, end: str) -> float:
    return (parse_time(end) - parse_time(start)).total_seconds() * 1000


def build_timeline(history: list[str], tasks: list[list[Any]], pending_timers: set[int],
                   ended: bool) -> list[Item]:
    """Items in the order they started. `tasks` is the instance's recorded [id, kind, name,
    primary] list (retry timers are not primary); `pending_timers` holds the armed timer ids."""
    retry_timers = {t[0] for t in tasks if t[1] == "timer" and not t[3]}
    items: list[Item] = []
    spans: dict[int, Item] = {}
    calls: dict[str, Item] = {}  # entity calls by request id: the response is named by it
    for text in history:
        e = json.loads(text)
        kind, at = e["EventType"], _time(e)
        if kind == EventType.ExecutionStarted:
            items.append(Item("lifecycle", "Started", "started", at, detail=e.get("Name")))
        elif kind == EventType.TaskScheduled:
            task_id = e["EventId"]
            span = Item("activity", e.get("Name") or "activity", "running", at, task_id=task_id,
                        detail=None)
            spans[task_id] = span
            items.append(span)
        elif kind == EventType.SubOrchestrationInstanceCreated:
            task_id = e["EventId"]
            span = Item("suborchestration", e.get("Name") or "sub-orchestration", "running", at,
                        task_id=task_id, detail=e.get("InstanceId"))
            spans[task_id] = span
            items.append(span)
        elif kind == EventType.TimerCreated:
            task_id = e["EventId"]
            fire_at = iso_time(parse_time(e["FireAt"]))
            retry = task_id in retry_timers
            span = Item("retry-timer" if retry else "timer",
                        "Retry delay" if retry else "Durable timer", "pending", at, end=fire_at,
                        task_id=task_id, detail=f"fires at {fire_at}", due=fire_at)
            spans[task_id] = span
            items.append(span)
        elif kind in (EventType.TaskCompleted, EventType.TaskFailed,
                      EventType.SubOrchestrationInstanceCompleted,
                      EventType.SubOrchestrationInstanceFailed):
            done = spans.get(e.get("TaskScheduledId"))
            if done is None:
                continue
            span = done
            span.end = at
            span.duration_ms = _duration(span.start, at)
            if kind in (EventType.TaskFailed, EventType.SubOrchestrationInstanceFailed):
                span.state = "failed"
                span.detail = e.get("Reason") or "failed"
            else:
                span.state = "completed"
                span.detail = _compact(e.get("Result"))
        elif kind == EventType.TimerFired:
            fired = spans.get(e.get("TimerId"))
            if fired is not None:
                fired.state = "fired"
                fired.end = at
                fired.duration_ms = _duration(fired.start, at)
                fired.detail = f"fired at {at}"
        elif kind == EventType.EventSent:
            request = json_value(e.get("Input")) or {}
            label = f"{e.get('InstanceId') or 'entity'} {request.get('op', '')}".strip()
            if request.get("signal"):
                items.append(Item("signal", label, "sent", at, task_id=e.get("EventId"),
                                  detail=_compact(request.get("input"))))
            else:
                span = Item("entity", label, "running", at, task_id=e.get("EventId"),
                            detail=_compact(request.get("input")))
                calls[str(request.get("id"))] = span
                items.append(span)
        elif kind == EventType.EventRaised and e.get("Name") in calls:
            call = calls.pop(e["Name"])
            response = json_value(e.get("Input")) or {}
            call.end = at
            call.duration_ms = _duration(call.start, at)
            call.state = "failed" if response.get("exceptionType") else "completed"
            call.detail = _compact(response.get("result"))
        elif kind == EventType.EventRaised:
            items.append(Item("event", e.get("Name") or "event", "raised", at,
                              detail=_compact(e.get("Input"))))
        elif kind == EventType.ExecutionSuspended:
            items.append(Item("lifecycle", "Suspended", "suspended", at, detail=e.get("Reason")))
        elif kind == EventType.ExecutionResumed:
            items.append(Item("lifecycle", "Resumed", "resumed", at, detail=e.get("Reason")))
        elif kind == EventType.ExecutionTerminated:
            items.append(Item("lifecycle", "Terminated", "terminated", at,
                              detail=_compact(e.get("Input"))))
        elif kind == EventType.ExecutionCompleted:
            state = _END_STATES.get(e.get("OrchestrationStatus"), "completed")
            if state != "terminated":
                items.append(Item("lifecycle", state.capitalize(), state, at,
                                  detail=_compact(e.get("Result"))))
    last = max((i.start for i in items), default=None)
    for task_id, span in spans.items():
        if span.kind in ("timer", "retry-timer") and span.state == "pending" \
                and task_id not in pending_timers:
            # History has no event for a cancellation; it happened by the last recorded step.
            span.state = "cancelled"
            span.detail = f"cancelled; was due at {span.end}"
            span.end = max(last or span.start, span.start)
        elif span.state == "running" and ended:
            span.state = "abandoned"
    return items


def timeline_json(items: list[Item], now: datetime) -> dict[str, Any]:
    times = [parse_time(t) for i in items for t in (i.start, i.end) if t]
    start = min(times) if times else now
    end = max([*times, now]) if any(i.state in ("running", "pending") for i in items) \
        else (max(times) if times else now)
    return {"start": iso_time(start), "end": iso_time(end),
            "items": [{k: v for k, v in asdict(i).items()} for i in items]}
