"""Builders for DTFx history events, in the JSON shape the SDK reads (protocol doc §3.2)."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any


class EventType(IntEnum):
    ExecutionStarted = 0
    ExecutionCompleted = 1
    ExecutionTerminated = 3
    TaskScheduled = 4
    TaskCompleted = 5
    TaskFailed = 6
    SubOrchestrationInstanceCreated = 7
    SubOrchestrationInstanceCompleted = 8
    SubOrchestrationInstanceFailed = 9
    TimerCreated = 10
    TimerFired = 11
    OrchestratorStarted = 12
    OrchestratorCompleted = 13
    EventSent = 14
    EventRaised = 15
    ExecutionSuspended = 19
    ExecutionResumed = 20


# OrchestrationStatus numbers used in ExecutionCompleted.
STATUS_NUMBER = {"Running": 0, "Completed": 1, "ContinuedAsNew": 2, "Failed": 3, "Canceled": 4,
                 "Terminated": 5, "Pending": 6, "Suspended": 7}


def dotnet_time(dt: datetime) -> str:
    """The round-trip format DTFx writes: 7 fractional digits and a Z."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def iso_time(dt: datetime) -> str:
    """Sortable UTC text used in the store."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    """Parse a UTC timestamp written with or without fractional digits; naive means UTC."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1]
    if "." in text:
        head, frac = text.split(".", 1)
        tz = ""
        for sep in ("+", "-"):
            if sep in frac:
                frac, tz = frac.split(sep, 1)
                tz = sep + tz
        text = f"{head}.{frac[:6].ljust(6, '0')}{tz}"
    dt = datetime.fromisoformat(text)
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def event(kind: EventType, at: datetime, event_id: int = -1, **fields: Any) -> dict[str, Any]:
    return {"EventType": int(kind), "EventId": event_id, "IsPlayed": False,
            "Timestamp": dotnet_time(at), **fields}


def execution_started(at: datetime, name: str, instance_id: str, execution_id: str,
                      input_json: str | None, parent: dict | None = None,
                      version: str | None = None) -> dict[str, Any]:
    return event(EventType.ExecutionStarted, at, Name=name, Version=version, Input=input_json,
                 OrchestrationInstance={"InstanceId": instance_id, "ExecutionId": execution_id},
                 ParentInstance=parent, Tags=None)


def to_json(ev: dict[str, Any]) -> str:
    return json.dumps(ev, separators=(",", ":"))
