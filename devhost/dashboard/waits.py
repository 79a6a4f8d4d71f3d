"""Which external events an orchestration waits for right now.

The durable history records no event for a wait: `wait_for_external_event` leaves nothing in
the store. What knows the open waits is the orchestrator itself, so the dashboard replays the
stored history through the real SDK (exactly as the engine does at the start of an episode, with
no new events) and reads the SDK's open tasks: external events are keyed by their name. The
orchestrator is deterministic and does no I/O, so a replay changes nothing. Results are cached
per (instance, execution, history length): a page refresh does not replay again.
"""
from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from azure.durable_functions.models.DurableOrchestrationContext import DurableOrchestrationContext
from azure.durable_functions.orchestrator import Orchestrator

from ..engine import context_input
from ..store import InstanceRow

log = logging.getLogger("devhost.dashboard")

# name -> the SDK handle registered by orchestration_trigger, or None when unknown
HandleLookup = Callable[[str], Callable[..., Any] | None]


def _pending(value: Any) -> int:
    tasks = value if isinstance(value, list) else [value]
    return sum(1 for t in tasks if not getattr(t, "is_completed", False))


def replay_open_waits(handle: Callable[..., Any], row: InstanceRow,
                      history: list[str]) -> dict[str, int]:
    """Event name -> number of open waits on it, after replaying `history`."""
    body = json.dumps({"input": context_input(row.input), "instanceId": row.instance_id,
                       "isReplaying": True, "parentInstanceId": row.parent_instance_id,
                       "upperSchemaVersion": 1, "history": [json.loads(e) for e in history]})
    ctx = DurableOrchestrationContext.from_json(body)
    ctx._input_expected_type = getattr(handle, "_df_input_type", None)
    Orchestrator(handle.orchestrator_function).handle(ctx)  # type: ignore[attr-defined]
    waits = {}
    for key, value in ctx.open_tasks.items():
        if isinstance(key, str) and getattr(value, "_api_name", "") != "CallEntityAction":
            # (an entity call waits under its request id, not under an event name)
            count = _pending(value)
            if count:
                waits[key] = count
    return waits


class OpenWaits:
    def __init__(self, lookup: HandleLookup, capacity: int = 512) -> None:
        self._lookup = lookup
        self._cache: OrderedDict[tuple[str, str, int], dict[str, int] | None] = OrderedDict()
        self._capacity = capacity

    def of(self, row: InstanceRow, history: list[str]) -> dict[str, int] | None:
        """Open waits of a running/suspended instance; None when they cannot be known."""
        key = (row.instance_id, row.execution_id, len(history))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        handle = self._lookup(row.name)
        waits: dict[str, int] | None = None
        if handle is not None and history:
            try:
                waits = replay_open_waits(handle, row, history)
            except Exception:  # the engine reports orchestrator failures; here we just don't know
                log.debug("replaying %s for its open waits failed", row.instance_id,
                          exc_info=True)
        self._cache[key] = waits
        if len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        return waits
