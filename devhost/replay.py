"""One orchestrator episode through the real SDK, and what the host must do about it.

Runs exactly the steps of the handle registered by `orchestration_trigger` (from_json, input
type, Orchestrator(fn).handle) but keeps the context, so the task ids the SDK assigned can be
read back (protocol doc §4.4, way 1). Also checks the actions against the recorded ones
(non-determinism, §4.5) and refuses features devhost does not run (call_http). Entity calls
and signals are tasks too: a signal is fire-and-forget, so its id is read from the numbering.
"""
from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from azure.durable_functions.models.actions.NoOpAction import NoOpAction
from azure.durable_functions.models.DurableOrchestrationContext import DurableOrchestrationContext
from azure.durable_functions.models.Task import TimerTask
from azure.durable_functions.orchestrator import Orchestrator

from .history import parse_time

# Every episode replays the whole history, and the SDK parses each event's Timestamp with
# dateutil (~0.2 ms each, most of an episode's cost). The same strings come back episode after
# episode, so memoize that pure function: same results, parsed once.
_history_event_module = importlib.import_module(
    "azure.durable_functions.models.history.HistoryEvent")
_namespace = vars(_history_event_module)
if not hasattr(_namespace["dt_parse"], "cache_info"):
    _namespace["dt_parse"] = functools.lru_cache(maxsize=65536)(_namespace["dt_parse"])

_ERROR_LABEL = "\n\n$OutOfProcData$:"
_KIND = {0: "activity", 1: "activity", 2: "suborch", 3: "suborch", 5: "timer", 7: "entity",
         9: "signal"}
_UNSUPPORTED = {8: "call_http"}


@dataclass(frozen=True)
class NewTask:
    """A task the SDK numbered in this episode and the host has not recorded yet."""
    task_id: int
    kind: str  # activity | timer | suborch | entity (a call) | signal
    name: str = ""  # for entity and signal: the entity's scheduler id @name@key
    input: str | None = None
    fire_at: datetime | None = None
    cancelled: bool = False
    child_instance_id: str | None = None
    version: str | None = None  # sub-orchestrations: the version asked for (None: the default)
    primary: bool = True  # False: a retry timer or retry attempt the host makes on its own
    operation: str | None = None  # entity and signal: the operation name

    def record(self) -> list[Any]:
        return [self.task_id, self.kind, self.name, self.primary]


@dataclass
class Episode:
    state: dict[str, Any]
    error: str | None = None          # the orchestrator raised: Failed with this message
    new_tasks: list[NewTask] = field(default_factory=list)
    cancelled_timers: list[int] = field(default_factory=list)

    @property
    def continue_as_new_input(self) -> tuple[bool, str | None]:
        for action in flatten(self.state.get("actions") or []):
            if action.get("actionType") == 4:
                return True, action.get("input")
        return False, None


def flatten(actions: list[Any]) -> list[dict[str, Any]]:
    """Atomic actions depth-first, in the order the SDK numbered them."""
    out: list[dict[str, Any]] = []
    for item in actions:
        if isinstance(item, list):
            out.extend(flatten(item))
        elif "compoundActions" in item:
            out.extend(flatten(item["compoundActions"]))
        else:
            out.append(item)
    return out


def _run_sdk(handle: Callable[..., Any], body: str) -> tuple[DurableOrchestrationContext | None,
                                                              dict[str, Any], str | None]:
    try:
        ctx = DurableOrchestrationContext.from_json(body)
        ctx._input_expected_type = getattr(handle, "_df_input_type", None)
    except Exception as exc:  # a context the SDK cannot read is a host bug; fail loudly
        return None, {"isDone": False, "actions": []}, \
            f"devhost sent a context the SDK rejected: {exc!r}"
    try:
        return ctx, json.loads(Orchestrator(handle.orchestrator_function).handle(ctx)), None  # type: ignore[attr-defined]
    except Exception as exc:
        message = str(exc)
        if _ERROR_LABEL in message:
            text, _, data = message.partition(_ERROR_LABEL)
            state = json.loads(data)
            return ctx, state, state.get("error") or text
        return ctx, {"isDone": False, "actions": []}, message or type(exc).__name__


def _check_supported(actions: list[dict[str, Any]]) -> str | None:
    for action in actions:
        feature = _UNSUPPORTED.get(int(action.get("actionType", -1)))
        if feature:
            return f"{feature} is not supported by devhost"
    return None


def _check_deterministic(actions: list[dict[str, Any]], recorded: list[list[Any]],
                         complete: bool) -> str | None:
    """Compare the recorded primary tasks with the actions at the same positions (DTFx rules)."""
    issued = [a for a in actions if a.get("actionType") in _KIND]
    for i, (task_id, kind, name, _primary) in enumerate(t for t in recorded if t[3]):
        if i >= len(issued):
            if not complete:
                return None
            return (f"Non-Deterministic workflow detected: A previous execution of this "
                    f"orchestration scheduled {_describe(kind, name)} with sequence ID {task_id}, "
                    "but the current replay execution hasn't (yet?) scheduled this task. Was a "
                    "change made to the orchestrator code after this instance had already "
                    "started running?")
        action = issued[i]
        now_kind = _KIND[action["actionType"]]
        now_name = action.get("functionName") or action.get("instanceId") or ""
        if now_kind != kind or now_name.lower() != name.lower():
            return (f"Non-Deterministic workflow detected: A previous execution of this "
                    f"orchestration scheduled {_describe(kind, name)} with sequence ID {task_id}, "
                    f"but the current replay execution scheduled {_describe(now_kind, now_name)} "
                    "at that position instead. Was a change made to the orchestrator code after "
                    "this instance had already started running?")
    return None


def _describe(kind: str, name: str) -> str:
    return {"activity": f"an activity task named '{name}'", "timer": "a timer",
            "suborch": f"a sub-orchestration named '{name}'",
            "entity": f"a call to entity '{name}'", "signal": f"a signal to entity '{name}'"}[kind]


def _new_task(task_id: int, task: Any, now: datetime) -> NewTask | None:
    action = task.action_repr[0] if isinstance(task.action_repr, list) else task.action_repr
    primary = True
    if isinstance(action, NoOpAction):
        retry = task.parent
        primary = False
        if action.metadata == "-WithRetry timer":
            last = retry.num_attempts >= retry.retry_options.max_number_of_attempts
            delay = timedelta(milliseconds=retry.retry_options.first_retry_interval_in_milliseconds)
            return NewTask(task_id, "timer", fire_at=now if last else now + delay, primary=False)
        action = retry.actions[0] if isinstance(retry.actions, list) else retry.actions
    data = action.to_json()
    kind = _KIND.get(data.get("actionType"))
    if kind == "timer":
        return NewTask(task_id, "timer", fire_at=parse_time(data["fireAt"]),
                       cancelled=bool(data.get("isCanceled")))
    if kind == "activity":
        return NewTask(task_id, "activity", data["functionName"], data.get("input"),
                       primary=primary)
    if kind == "suborch":
        return NewTask(task_id, "suborch", data["functionName"], data.get("input"),
                       child_instance_id=data.get("instanceId"), version=data.get("version"),
                       primary=primary)
    if kind == "entity":
        return NewTask(task_id, "entity", data["instanceId"], data.get("input"),
                       operation=data.get("operation"))
    return None  # a yielded signal: it was numbered when it was sent


def _new_signals(ctx: DurableOrchestrationContext, actions: list[dict[str, Any]],
                 recorded: list[list[Any]], new_tasks: list[NewTask]) -> list[NewTask]:
    """Signals sent since the last episode. They never enter open_tasks; each took the next id
    when it was sent, so their ids are the numbers not taken by any other task, in order."""
    sent = [a for a in actions if a.get("actionType") == 9]
    fresh = sent[sum(1 for t in recorded if t[1] == "signal"):]
    if not fresh:
        return []
    taken = {t[0] for t in recorded} | {t.task_id for t in new_tasks}
    free = (i for i in range(ctx._sequence_number) if i not in taken)
    return [NewTask(task_id, "signal", a["instanceId"], a.get("input"),
                    operation=a.get("operation")) for task_id, a in zip(free, fresh)]


def run_episode(handle: Callable[..., Any], body: str, recorded: list[list[Any]],
                now: datetime) -> Episode:
    ctx, state, error = _run_sdk(handle, body)
    actions = flatten(state.get("actions") or [])
    problem = _check_supported(actions) or _check_deterministic(actions, recorded, error is None)
    if problem or ctx is None:
        return Episode(state, error=problem or error)
    known = {t[0] for t in recorded}
    episode = Episode(state, error=error)  # a failing orchestrator's signals still go out
    for key, value in ctx.open_tasks.items():
        if not isinstance(key, int):
            continue
        for task in value if isinstance(value, list) else [value]:
            if key not in known:
                new = _new_task(key, task, now)
                if new is not None:
                    episode.new_tasks.append(new)
            elif isinstance(task, TimerTask) and task.is_cancelled:
                episode.cancelled_timers.append(key)
    episode.new_tasks.extend(_new_signals(ctx, actions, recorded, episode.new_tasks))
    episode.new_tasks.sort(key=lambda t: t.task_id)
    return episode
