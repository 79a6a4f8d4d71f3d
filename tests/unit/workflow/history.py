"""Hand-built orchestration history, replayed through the real SDK handle (no host).

Each `episode()` does what the durable extension does between two invocations: it appends an
OrchestratorStarted and the new messages, calls the registered orchestrator handle with the whole
history as JSON, numbers the new actions the way DTFx does (every scheduled task and timer takes
the next id; waits take none), records TaskScheduled/TimerCreated for them and closes the episode.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import azure.durable_functions as df

ORCHESTRATOR_STARTED = 12
ORCHESTRATOR_COMPLETED = 13
EXECUTION_STARTED = 0
TASK_SCHEDULED = 4
TASK_COMPLETED = 5
TASK_FAILED = 6
TIMER_CREATED = 10
TIMER_FIRED = 11
EVENT_SENT = 14
EVENT_RAISED = 15

CALL_ACTIVITY = 0
CALL_ACTIVITY_WITH_RETRY = 1
CREATE_TIMER = 5
WAIT_FOR_EVENT = 6
SIGNAL_ENTITY = 9
COMPOUND = (11, 12)


def dotnet_timestamp(moment: datetime) -> str:
    """The round-trip format DTFx writes (7 fractional digits, Z)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def orchestrator_handle(blueprint: df.Blueprint, name: str) -> Callable[[str], str]:
    """The handle the worker would call, taken from a fresh app that registers the blueprint."""
    app = df.DFApp()
    app.register_functions(blueprint)
    for function in app.get_functions():
        if function.get_function_name() == name:
            return function.get_user_function()
    raise LookupError(name)


def flatten(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Atomic actions, depth-first, as the extension reads compound ones."""
    atoms: list[dict[str, Any]] = []
    for action in actions:
        if action["actionType"] in COMPOUND:
            atoms.extend(flatten(action["compoundActions"]))
        else:
            atoms.append(action)
    return atoms


@dataclass
class ScheduledAction:
    """An action the orchestrator issued, with the task id the host gave it."""

    task_id: int | None
    action: dict[str, Any]

    @property
    def kind(self) -> int:
        return self.action["actionType"]

    @property
    def name(self) -> str | None:
        return self.action.get("functionName") or self.action.get("externalEventName")

    @property
    def input(self) -> Any:
        return json.loads(self.action["input"])


@dataclass
class Episode:
    """The orchestrator's answer to one invocation."""

    state: dict[str, Any]
    actions: list[ScheduledAction]
    new_actions: list[ScheduledAction]
    reserved: list[int] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return bool(self.state["isDone"])

    @property
    def output(self) -> Any:
        return self.state.get("output")

    @property
    def custom_status(self) -> Any:
        return self.state.get("customStatus")

    def new(self, name: str) -> ScheduledAction:
        """The one action issued in this episode for an activity (or event) name."""
        found = [a for a in self.new_actions if a.name == name]
        assert len(found) == 1, f"expected one new {name!r} action, got {self.new_actions}"
        return found[0]

    def timers(self) -> list[ScheduledAction]:
        return [a for a in self.actions if a.kind == CREATE_TIMER]

    def signals(self) -> list[ScheduledAction]:
        """The entity signals issued (fire and forget: each is in the history once sent)."""
        return [a for a in self.actions if a.kind == SIGNAL_ENTITY]

    def activity_calls(self, name: str) -> list[ScheduledAction]:
        return [a for a in self.actions if a.name == name and a.kind in (CALL_ACTIVITY, CALL_ACTIVITY_WITH_RETRY)]


@dataclass
class History:
    """The history of one orchestration instance, grown episode by episode."""

    handle: Callable[[str], str]
    instance_id: str
    input: Any
    now: datetime
    events: list[dict[str, Any]] = field(default_factory=list)
    known_actions: int = 0
    next_id: int = 0
    scheduled: list[ScheduledAction] = field(default_factory=list)

    # --- messages a test can deliver ---------------------------------------------------------

    def started(self, name: str) -> dict[str, Any]:
        return self._event(
            EXECUTION_STARTED,
            Name=name,
            Version="",
            Input=json.dumps(self.input),
            OrchestrationInstance={"InstanceId": self.instance_id, "ExecutionId": "exec-1"},
            ParentInstance=None,
            Tags=None,
        )

    def completed(self, task: ScheduledAction | int, result: Any) -> dict[str, Any]:
        return self._event(TASK_COMPLETED, TaskScheduledId=_task_id(task), Result=json.dumps(result))

    def failed(self, task: ScheduledAction | int, reason: str) -> dict[str, Any]:
        return self._event(TASK_FAILED, TaskScheduledId=_task_id(task), Reason=reason, Details="trace")

    def fired(self, timer: ScheduledAction | int) -> dict[str, Any]:
        fire_at = timer.action["fireAt"] if isinstance(timer, ScheduledAction) else dotnet_timestamp(self.now)
        return self._event(TIMER_FIRED, TimerId=_task_id(timer), FireAt=fire_at)

    def raised(self, name: str, payload: Any, *, by_python_client: bool = True) -> dict[str, Any]:
        """An external event. The Python client double-encodes: the orchestrator gets JSON text."""
        value = json.dumps(payload) if by_python_client else payload
        return self._event(EVENT_RAISED, Name=name, Input=json.dumps(value))

    def raised_raw(self, name: str, input_text: str | None) -> dict[str, Any]:
        """An external event with an arbitrary stored Input (e.g. not JSON at all)."""
        return self._event(EVENT_RAISED, Name=name, Input=input_text)

    # --- running -----------------------------------------------------------------------------

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def exhaust_retries(self, task: ScheduledAction, attempts: int, reason: str) -> Episode:
        """Fail every attempt of a retried activity, doing the host's part of the retry policy.

        After each failure the host creates a retry timer (next id); when it fires, the activity
        is scheduled again (next id). After the last attempt one more timer fires at once, and
        only then does the orchestrator see the failure (docs/design/durable-protocol.md §5.2).
        """
        task_id = task.task_id
        episode = None
        for attempt in range(1, attempts + 1):
            [timer_id] = self.episode(self.failed(task_id, reason), reserve=1).reserved
            last = attempt == attempts
            episode = self.episode(self.fired(timer_id), reserve=0 if last else 1)
            if not last:
                [task_id] = episode.reserved
        assert episode is not None
        return episode

    def episode(
        self, *messages: dict[str, Any], after: timedelta = timedelta(seconds=1), reserve: int = 0
    ) -> Episode:
        """Deliver messages in a new episode and return what the orchestrator did.

        `reserve` ids are taken before the new actions are numbered: the ids the SDK gives
        internally to retry timers and re-scheduled attempts while it reads these messages.
        """
        self.now += after
        reserved = list(range(self.next_id, self.next_id + reserve))
        self.next_id += reserve
        self.events.append(self._event(ORCHESTRATOR_STARTED))
        for message in messages:
            message = dict(message, Timestamp=dotnet_timestamp(self.now))
            self.events.append(message)
        state = self._invoke()
        atoms = flatten(state["actions"][0]) if state["actions"] else []
        new_atoms = atoms[self.known_actions:]
        new_actions = []
        for atom in new_atoms:
            if atom["actionType"] == WAIT_FOR_EVENT:
                new_actions.append(ScheduledAction(None, atom))
                continue
            action = ScheduledAction(self.next_id, atom)
            self.next_id += 1
            new_actions.append(action)
            if atom["actionType"] == CREATE_TIMER:
                self.events.append(self._event(TIMER_CREATED, event_id=action.task_id, FireAt=atom["fireAt"]))
            elif atom["actionType"] == SIGNAL_ENTITY:
                self.events.append(self._event(
                    EVENT_SENT, event_id=action.task_id, InstanceId=atom["instanceId"],
                    Name="op", Input=json.dumps({"op": atom["operation"], "signal": True, "input": atom["input"]})))
            else:
                self.events.append(
                    self._event(TASK_SCHEDULED, event_id=action.task_id, Name=atom["functionName"], Input=atom["input"])
                )
        self.known_actions = len(atoms)
        self.scheduled.extend(new_actions)
        # Cancellation flips a flag on an earlier action: refresh our copies.
        for scheduled, atom in zip(self.scheduled, atoms):
            scheduled.action = atom
        self.events.append(self._event(ORCHESTRATOR_COMPLETED))
        return Episode(state=state, actions=list(self.scheduled), new_actions=new_actions, reserved=reserved)

    def _invoke(self) -> dict[str, Any]:
        last_start = max(i for i, e in enumerate(self.events) if e["EventType"] == ORCHESTRATOR_STARTED)
        history = [dict(e, IsPlayed=i < last_start) for i, e in enumerate(self.events)]
        body = {
            "history": history,
            "input": self.input,
            "instanceId": self.instance_id,
            "isReplaying": last_start > 0,
            "parentInstanceId": None,
            "upperSchemaVersion": 1,
            "upperSchemaVersionNew": 2,
        }
        try:
            return json.loads(self.handle(json.dumps(body)))
        except Exception as error:
            label = "\n\n$OutOfProcData$:"
            message = str(error)
            if label not in message:
                raise
            reason, state = message.split(label, 1)
            raise OrchestratorFailed(reason, json.loads(state)) from error

    def _event(self, event_type: int, event_id: int = -1, **fields: Any) -> dict[str, Any]:
        return {
            "EventType": event_type,
            "EventId": event_id,
            "IsPlayed": False,
            "Timestamp": dotnet_timestamp(self.now),
            **fields,
        }


class OrchestratorFailed(AssertionError):
    """The orchestrator raised: the reason, and the state it reported with it (custom status...)."""

    def __init__(self, reason: str, state: dict[str, Any]) -> None:
        super().__init__(f"orchestrator failed: {reason}")
        self.reason = reason
        self.state = state


def _task_id(task: ScheduledAction | int) -> int:
    return task if isinstance(task, int) else task.task_id  # type: ignore[return-value]
