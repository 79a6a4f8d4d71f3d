"""The durable engine: episodes, activities, timers and sub-orchestrations (a small DTFx).

All work for an instance happens in episodes, one at a time: the pending messages plus the
stored history go to the SDK, and the result is written back in one SQLite transaction.
Episodes run synchronously on the event loop (SQLite and replay are fast); activities run as
tasks so a slow one never blocks anything else. Activities are background work that takes turns
with HTTP requests (lanes.py), so a burst of them never makes requests wait long. An episode that
delivers an event a request has just raised runs at once, ahead of other episodes, because the
request (a click) often waits to see it recorded. When the store refuses a write (StorageError),
nothing is lost: the episode, the due timers or the activity result wait and are retried with
backoff until the store takes writes again (see storage_health).

`python -m devhost` runs this engine twice over one store: in the HTTP process, where it only
takes requests (starts, events, terminations) and hands the wake-ups to the background worker
process (`background`), and in that worker, which runs everything else (background_worker.py).
An episode therefore checks, in the transaction that records it, that nobody changed the
instance since it was read (terminate, suspend); if somebody did, it runs again.
"""
from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

from . import history as h
from .activities import run_activity, unknown_activity
from .clock import Clock
from .entities import EntityWorker
from .functions import FunctionIndex
from .history import EventType
from .lanes import Lanes
from .replay import Episode, NewTask, run_episode
from .storage_health import StorageHealth
from .store import ACTIVE, TERMINAL, InstanceRow, StorageError, TaskHubStore
from .timers import TimerQueue
from .versioning import MISMATCH_OUTPUT, FailureStrategy, Versioning

log = logging.getLogger("devhost")
_KEEP = object()  # leave the custom status as it is


def failure_output(name: str, error: str) -> str:
    return json.dumps(f"Orchestrator function '{name}' failed: {error}")


def context_input(input_json: str | None) -> Any:
    """The top-level `input` of the context: the stored input parsed once, as the extension's
    `GetInputAsJson()` sends it. Inputs from the SDK are stored as JSON strings holding JSON
    text, so the SDK's `get_input()` decodes them; a raw list or number started over HTTP stays
    a list or number here, which `get_input()` cannot decode, exactly as on Azure."""
    if input_json is None:
        return None
    return json.loads(input_json)


def stored_input(action_input: str | None) -> str | None:
    """How DTFx stores the input of a sub-orchestration or continue-as-new action.

    The SDK puts `df_dumps(value)` (JSON text) in the action; the extension reads it as a C#
    string and DTFx serializes that string again, so the stored input is a JSON string holding
    JSON text: the same shape a client start stores (protocol doc §4.8, trap T1)."""
    return None if action_input is None else json.dumps(action_input)


class Background(Protocol):
    """Where the work of an engine that only takes requests goes: the background worker."""

    def instance(self, instance_id: str, urgent: bool) -> None: ...

    def entity(self, entity_id: str) -> None: ...


class Engine:
    def __init__(self, store: TaskHubStore, clock: Clock, index: FunctionIndex,
                 executor: Executor | None = None, versioning: Versioning | None = None,
                 lanes: Lanes | None = None) -> None:
        self.store = store
        self.clock = clock
        self.index = index
        self.executor = executor
        self.versioning = versioning or Versioning()
        self._refused: set[tuple[str, str]] = set()  # (instance, execution) already logged
        self.lanes = lanes or Lanes()
        self.health = StorageHealth(store)
        self.timers = TimerQueue(clock, self._fire_timers)
        self._unfired: list[int] = []  # due timers whose firing the store refused so far
        self._dirty: dict[str, None] = {}
        self._urgent: dict[str, None] = {}  # instances with an event a request has just raised
        self._wake = asyncio.Event()
        self._urgent_wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()
        self._loops: list[asyncio.Task[None]] = []
        self._post_commit: list[Callable[[], None]] = []
        # The durable client JSON for activities that declare durable_client_input; the host
        # sets it once it knows its URLs.
        self.client_binding: Callable[[], str] = lambda: ""
        self.entities = EntityWorker(self)
        # Set in the HTTP process of a split host: episodes and entity batches run over there.
        self.background: Background | None = None
        # Set in the background worker: tells the HTTP process that something has changed.
        self.on_change: Callable[[], None] | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Resume what the store says is pending, then run the loops."""
        for fire_at, row_id in self.store.timer_schedule():
            self.timers.add(fire_at, row_id)
        for activity in self.store.all_activities():
            self._launch_activity(activity.id, activity.instance_id, activity.task_id,
                                  activity.name, activity.input)
        for instance_id in self.store.instances_with_messages():
            self.mark_dirty(instance_id)
        self.entities.start()
        self._loops = [asyncio.create_task(self._pump(), name="devhost-episodes"),
                       # Its episodes are request work (lanes.py): activities stand aside for them.
                       asyncio.create_task(self.lanes.request(self._urgent_pump()),
                                           name="devhost-raised-events"),
                       asyncio.create_task(self.timers.run(), name="devhost-timers")]

    async def stop(self) -> None:
        tasks = [*self._loops, *self._inflight]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.entities.stop()

    # -- notifications ---------------------------------------------------------------------
    def mark_dirty(self, instance_id: str, urgent: bool = False) -> None:
        """Run an episode of the instance; `urgent` when a request waits for it (lanes.py)."""
        if self.background is not None:
            self.background.instance(instance_id, urgent)
        elif urgent:
            self._urgent[instance_id] = None
            self._urgent_wake.set()
        else:
            self._dirty[instance_id] = None
            self._wake.set()

    def notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        if self.on_change is not None:
            self.on_change()

    def next_change(self) -> Coroutine[Any, Any, bool]:
        """An awaitable for the first change after this call.

        The event is captured now, not when the awaitable first runs: a caller that reads state
        and then waits (possibly in a task started later) cannot miss a change in between."""
        return self._changed.wait()

    def is_idle(self) -> bool:
        return (not self._dirty and not self._urgent and not self._inflight and not self._unfired
                and not self.timers.has_due() and self.entities.is_idle())

    async def settle(self) -> None:
        """Return once no episode, activity or due timer is left to process."""
        while not self.is_idle():
            await self.next_change()

    # -- the episode loop ------------------------------------------------------------------
    async def _pump(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            done = 0
            while self._dirty:
                if not self._take(self._dirty):
                    await self.health.backoff()
                    continue
                done += 1
                if done % 8 == 0:  # let the timer loop, HTTP requests and activities in
                    self.notify()
                    await asyncio.sleep(0)
            self.notify()

    async def _urgent_pump(self) -> None:
        """Episodes that deliver what a request raised: what is queued now, then the loop."""
        while True:
            await self._urgent_wake.wait()
            self._urgent_wake.clear()
            while self._urgent:
                for _ in range(len(self._urgent)):
                    if self._urgent and not self._take(self._urgent):
                        await self.health.backoff()
                        break
                await asyncio.sleep(0)
            self.notify()

    def _take(self, queue: dict[str, None]) -> bool:
        """Run the episode of the first instance in `queue`; False if the store refused it."""
        instance_id = next(iter(queue))
        del queue[instance_id]
        self._dirty.pop(instance_id, None)  # the episode takes all of its messages
        self._urgent.pop(instance_id, None)
        try:
            self._safe_episode(instance_id)
        except StorageError:
            queue[instance_id] = None  # its messages are still stored: run it again
            return False
        return True

    def _safe_episode(self, instance_id: str) -> None:
        try:
            self._episode(instance_id)
        except StorageError:
            raise  # the store, not the orchestration, failed: the pump retries it
        except Exception as exc:
            log.exception("devhost failed to run an episode of %s", instance_id)
            row = self.store.instance(instance_id)
            if row is not None and row.runtime_status not in TERMINAL:
                with self.transaction():
                    output = failure_output(row.name, f"devhost error: {exc!r}")
                    self.end_execution(row, "Failed", output, [], self.clock.now())

    def _episode(self, instance_id: str) -> None:
        row = self.store.instance(instance_id)
        if row is None or row.runtime_status == "Suspended":
            return
        messages = self.store.messages(instance_id)
        if not messages:
            return
        if row.runtime_status in TERMINAL:
            with self.transaction():
                self.store.delete_messages(instance_id, messages[-1].id)
            return
        now = self.clock.now()
        if not self.versioning.accepts(row.version):
            self._version_mismatch(row, [json.loads(m.event) for m in messages], messages[-1].id,
                                   now)
            return
        if row.pending_output is not None:  # the function has returned; timers hold it open
            with self.transaction():
                if self._changed_since(row):
                    return
                self.store.delete_messages(instance_id, messages[-1].id)
                self._while_timers_armed(row, [json.loads(m.event) for m in messages], now)
            self.notify()
            return
        old = self.store.history(instance_id)
        incoming = [json.loads(m.event) for m in messages]
        if not old:  # ExecutionStarted must be history[1]
            incoming.sort(key=lambda e: e["EventType"] != EventType.ExecutionStarted)
        new_events = [h.event(EventType.OrchestratorStarted, now), *incoming]
        recorded = json.loads(row.tasks)
        orchestrator = self.index.orchestrator(row.name)
        if orchestrator is None:
            episode = Episode({"isDone": False, "actions": []},
                              error=f"The function '{row.name}' doesn't exist, is disabled, "
                                    "or is not an orchestrator function.")
        else:
            body = self._context_body(row, old, new_events)
            episode = run_episode(orchestrator.handle, body, recorded, now)
        with self.transaction():
            if self._changed_since(row, len(old)):
                return
            self.store.delete_messages(instance_id, messages[-1].id)
            self._apply(row, episode, recorded, now, len(old), new_events)
        self.notify()

    def _changed_since(self, row: InstanceRow, seq: int | None = None) -> bool:
        """Whether another writer (the HTTP process terminating or suspending it) changed the
        instance since `row` was read; if so its episode runs again (inside a transaction)."""
        now = self.store.instance(row.instance_id)
        changed = (now is None or now.execution_id != row.execution_id
                   or now.runtime_status != row.runtime_status
                   or (seq is not None and self.store.history_length(row.instance_id) != seq))
        if changed:
            self._after_commit(lambda: self.mark_dirty(row.instance_id))
        return changed

    def _version_mismatch(self, row: InstanceRow, incoming: list[dict], last_message: int,
                          now: datetime) -> None:
        """Work for an instance whose version this host does not run (versioning module).

        Reject leaves the messages stored: the instance keeps its status and runs on a later
        start whose host.json accepts its version (or when new messages arrive). Fail ends it
        without running the orchestrator, with DurableTask.Core's VersionMismatch output."""
        if self.versioning.failure is FailureStrategy.REJECT:
            key = (row.instance_id, row.execution_id)
            if key not in self._refused:
                self._refused.add(key)
                log.warning("instance %s has version %r, which this host (%s) does not run; "
                            "it waits for a host whose defaultVersion accepts it",
                            row.instance_id, row.version, self.versioning.describe())
            return
        incoming.sort(key=lambda e: e["EventType"] != EventType.ExecutionStarted)
        with self.transaction():
            if self._changed_since(row):
                return
            self.store.delete_messages(row.instance_id, last_message)
            self.end_execution(row, "Failed", json.dumps(MISMATCH_OUTPUT),
                               [h.event(EventType.OrchestratorStarted, now), *incoming], now)
        self.notify()

    def _context_body(self, row: InstanceRow, old: list[str], new_events: list[dict]) -> str:
        head = json.dumps({"input": context_input(row.input), "instanceId": row.instance_id,
                           "isReplaying": bool(old), "parentInstanceId": row.parent_instance_id,
                           "upperSchemaVersion": 1})
        events = ",".join([*old, *(h.to_json(e) for e in new_events)])
        return head[:-1] + ',"history":[' + events + "]}"

    # -- applying an episode ---------------------------------------------------------------
    def _apply(self, row: InstanceRow, episode: Episode, recorded: list[list[Any]], now: datetime,
               seq: int, events: list[dict]) -> None:
        state = episode.state
        custom = state.get("customStatus")
        custom_json = json.dumps(custom) if custom is not None else None
        if episode.error is not None:
            self._send_signals(row, episode, now, events)
            self.end_execution(row, "Failed", failure_output(row.name, episode.error), events,
                               now, seq, custom_json)
            return
        if state.get("isDone"):
            again, new_input = episode.continue_as_new_input
            if again:
                self._send_signals(row, episode, now, [])
                self._continue_as_new(row, stored_input(new_input), now, custom_json)
                return
        self._record_tasks(row, episode, recorded, now, events)
        instance_id = row.instance_id
        pending_output = None
        if state.get("isDone"):
            output = state.get("output")
            output_json = json.dumps(output) if output is not None else None
            if not self.store.armed_timers(instance_id, row.execution_id):
                if episode.new_tasks:
                    self.store.update_instance(instance_id, tasks=json.dumps(recorded))
                self.end_execution(row, "Completed", output_json, events, now, seq, custom_json)
                return
            # A timer neither fired nor cancelled keeps the instance Running after the function
            # returned, as the extension does; the output waits for that timer.
            pending_output = output_json if output_json is not None else "null"
        events.append(h.event(EventType.OrchestratorCompleted, now))
        self._append(instance_id, seq, events)
        self.store.update_instance(instance_id, runtime_status="Running", custom_status=custom_json,
                                   tasks=json.dumps(recorded), last_updated_time=h.iso_time(now),
                                   pending_output=pending_output)

    def _record_tasks(self, row: InstanceRow, episode: Episode, recorded: list[list[Any]],
                      now: datetime, events: list[dict]) -> None:
        """Schedule the tasks the SDK numbered in this episode and disarm cancelled timers."""
        for task in episode.new_tasks:
            events.append(self._schedule(row, task, now))
            recorded.append(task.record())
        for timer_id in episode.cancelled_timers:
            self.store.cancel_timer(row.instance_id, timer_id)

    def _send_signals(self, row: InstanceRow, episode: Episode, now: datetime,
                      events: list[dict]) -> None:
        """Entity signals of an episode that ends the execution: DTFx still sends them."""
        for task in episode.new_tasks:
            if task.kind == "signal":
                events.append(self.entities.send(row, task, now))

    def _while_timers_armed(self, row: InstanceRow, incoming: list[dict], now: datetime) -> None:
        """Record what reaches a returned function; complete it once no timer is armed."""
        instance_id = row.instance_id
        seq = self.store.history_length(instance_id)
        events = [h.event(EventType.OrchestratorStarted, now), *incoming]
        if not self.store.armed_timers(instance_id, row.execution_id):
            pending = row.pending_output
            self.end_execution(row, "Completed", None if pending == "null" else pending, events,
                               now, seq)
            return
        events.append(h.event(EventType.OrchestratorCompleted, now))
        self._append(instance_id, seq, events)
        self.store.update_instance(instance_id, last_updated_time=h.iso_time(now))

    def _append(self, instance_id: str, seq: int, events: list[dict]) -> None:
        rows = []
        for e in events:
            e["IsPlayed"] = True
            rows.append((e["EventType"], h.to_json(e)))
        self.store.append_history(instance_id, seq, rows)

    def _schedule(self, row: InstanceRow, task: NewTask, now: datetime) -> dict:
        instance_id, execution_id = row.instance_id, row.execution_id
        if task.kind == "activity":
            row_id = self.store.add_activity(instance_id, execution_id, task.task_id, task.name,
                                             task.input)
            self._after_commit(lambda: self._launch_activity(
                row_id, instance_id, task.task_id, task.name, task.input))
            return h.event(EventType.TaskScheduled, now, task.task_id, Name=task.name, Version="",
                           Input=task.input)
        if task.kind in ("entity", "signal"):
            return self.entities.send(row, task, now)
        if task.kind == "timer":
            assert task.fire_at is not None  # every timer task has its time
            fire_text = h.dotnet_time(task.fire_at)
            if not task.cancelled:
                row_id = self.store.add_timer(instance_id, execution_id, task.task_id,
                                              task.fire_at.timestamp(), fire_text)
                fire_at = task.fire_at.timestamp()
                self._after_commit(lambda: self.timers.add(fire_at, row_id))
            return h.event(EventType.TimerCreated, now, task.task_id, FireAt=fire_text)
        child_id = task.child_instance_id or f"{instance_id}:{task.task_id:04d}"
        version = self.versioning.version_for_new(task.version)
        self._start_child(row, task, child_id, version, now)
        return h.event(EventType.SubOrchestrationInstanceCreated, now, task.task_id,
                       Name=task.name, Version=version, InstanceId=child_id,
                       Input=stored_input(task.input))

    def _after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once the current transaction has committed (dropped on rollback)."""
        self._post_commit.append(action)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One SQLite transaction; work queued with _after_commit starts only after COMMIT."""
        self._post_commit = []
        try:
            with self.store.transaction():
                yield
        except StorageError as exc:
            self._post_commit = []
            self.health.failed(exc)
            self.notify()  # waiters may be watching for the failure itself
            raise
        except BaseException:
            self._post_commit = []
            raise
        self.health.succeeded()
        actions, self._post_commit = self._post_commit, []
        for action in actions:
            action()

    def _start_child(self, parent: InstanceRow, task: NewTask, child_id: str,
                     version: str | None, now: datetime) -> None:
        existing = self.store.instance(child_id)
        reason = None
        if self.index.orchestrator(task.name) is None:
            reason = (f"The function '{task.name}' doesn't exist, is disabled, or is not an "
                      "orchestrator function.")
        elif existing is not None and existing.runtime_status in ACTIVE:
            reason = f"An orchestration with instance ID '{child_id}' already exists."
        if reason is not None:
            self.store.add_message(parent.instance_id, h.to_json(h.event(
                EventType.SubOrchestrationInstanceFailed, now, TaskScheduledId=task.task_id,
                Reason=reason, Details=None)))
            self._after_commit(lambda: self.mark_dirty(parent.instance_id))
            return
        self.create_instance(task.name, child_id, stored_input(task.input), now, parent=(
            parent.instance_id, parent.execution_id, task.task_id, parent.name), version=version)

    def create_instance(self, name: str, instance_id: str, input_json: str | None, now: datetime,
                        parent: tuple[str, str, int, str] | None = None,
                        version: str | None = None) -> None:
        """Insert a Pending instance and its ExecutionStarted message (inside a transaction).

        `version` is the instance's own, already resolved against defaultVersion."""
        if self.store.instance(instance_id) is not None:
            self.store.delete_instance(instance_id)
        execution_id = uuid.uuid4().hex
        parent_json = None
        if parent is not None:
            parent_json = {"Name": parent[3], "OrchestrationInstance": {
                "InstanceId": parent[0], "ExecutionId": parent[1]}, "TaskScheduleId": parent[2]}
        self.store.insert_instance(InstanceRow(
            instance_id=instance_id, name=name, execution_id=execution_id,
            runtime_status="Pending", input=input_json, output=None, custom_status=None,
            created_time=h.iso_time(now), last_updated_time=h.iso_time(now),
            parent_instance_id=parent[0] if parent else None,
            parent_execution_id=parent[1] if parent else None,
            parent_task_id=parent[2] if parent else None, version=version))
        self.store.add_message(instance_id, h.to_json(h.execution_started(
            now, name, instance_id, execution_id, input_json, parent_json, version)))
        self._after_commit(lambda: self.mark_dirty(instance_id))

    def _continue_as_new(self, row: InstanceRow, new_input: str | None, now: datetime,
                         custom_json: str | None) -> None:
        """Start a fresh execution with the same id: new history, task ids from 0."""
        instance_id = row.instance_id
        self.store.drop_pending_work(instance_id)
        self.store.clear_history(instance_id)
        execution_id = uuid.uuid4().hex
        self.store.update_instance(
            instance_id, runtime_status="ContinuedAsNew", input=new_input, output=None,
            custom_status=custom_json, execution_id=execution_id, tasks="[]",
            last_updated_time=h.iso_time(now))
        self.store.add_message(instance_id, h.to_json(h.execution_started(
            now, row.name, instance_id, execution_id, new_input, version=row.version)))
        self._after_commit(lambda: self.mark_dirty(instance_id))

    def end_execution(self, row: InstanceRow, status: str, output: str | None, events: list[dict],
                now: datetime, seq: int | None = None, custom_json: Any = _KEEP) -> None:
        """End the current execution (inside a transaction) and tell a parent about it."""
        instance_id = row.instance_id
        if seq is None:
            seq = self.store.history_length(instance_id)
        events = [*events, h.event(EventType.ExecutionCompleted, now,
                                   OrchestrationStatus=h.STATUS_NUMBER[status], Result=output)]
        if events[0]["EventType"] == EventType.OrchestratorStarted:
            events.append(h.event(EventType.OrchestratorCompleted, now))
        self._append(instance_id, seq, events)
        self.store.drop_pending_work(instance_id)
        fields: dict[str, Any] = {"runtime_status": status, "output": output,
                                  "pending_output": None, "last_updated_time": h.iso_time(now)}
        if custom_json is not _KEEP:
            fields["custom_status"] = custom_json
        self.store.update_instance(instance_id, **fields)
        self._tell_parent(row, status, output, now)

    def _tell_parent(self, row: InstanceRow, status: str, output: str | None,
                     now: datetime) -> None:
        parent_id = row.parent_instance_id
        if not parent_id:
            return
        parent = self.store.instance(parent_id)
        if (parent is None or parent.execution_id != row.parent_execution_id
                or parent.runtime_status in TERMINAL):
            return
        task_id = row.parent_task_id
        if status == "Completed":
            ev = h.event(EventType.SubOrchestrationInstanceCompleted, now, TaskScheduledId=task_id,
                         Result=output)
        else:  # the child's failure text, as DTFx passes it on ("Orchestrator function ...")
            detail = json.loads(output) if output else None
            reason = detail if status == "Failed" else (
                f"Sub-orchestration '{row.instance_id}' was terminated: {detail}")
            ev = h.event(EventType.SubOrchestrationInstanceFailed, now, TaskScheduledId=task_id,
                         Reason=reason, Details=None)
        self.store.add_message(parent_id, h.to_json(ev))
        self._after_commit(lambda: self.mark_dirty(parent_id))

    # -- activities and timers -------------------------------------------------------------
    def _launch_activity(self, row_id: int, instance_id: str, task_id: int, name: str,
                         input_json: str | None) -> None:
        task = asyncio.create_task(self._activity_in_turn(row_id, instance_id, task_id, name,
                                                          input_json))
        self._inflight.add(task)
        task.add_done_callback(self._activity_done)

    def _activity_done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self.notify()

    async def _activity_in_turn(self, row_id: int, instance_id: str, task_id: int, name: str,
                                input_json: str | None) -> None:
        """The activity as background work: each of its steps takes its turn (lanes.py)."""
        await self.lanes.background(self._activity(row_id, instance_id, task_id, name, input_json))

    async def _activity(self, row_id: int, instance_id: str, task_id: int, name: str,
                        input_json: str | None) -> None:
        fn = self.index.activity(name)
        if fn is None:
            outcome = unknown_activity(name, [f.name for f in self.index.activities.values()])
        else:
            outcome = await run_activity(fn, input_json, self.executor, self.client_binding)
        now = self.clock.now()
        if outcome.failed:
            ev = h.event(EventType.TaskFailed, now, TaskScheduledId=task_id, Reason=outcome.reason,
                         Details=outcome.details)
        else:
            ev = h.event(EventType.TaskCompleted, now, TaskScheduledId=task_id,
                         Result=outcome.result)
        while True:
            try:
                with self.transaction():
                    if not self.store.finish_activity(row_id):
                        return  # the instance ended or restarted meanwhile
                    self.store.add_message(instance_id, h.to_json(ev))
                break
            except StorageError:
                await self.health.backoff()
        self.mark_dirty(instance_id)

    async def _fire_timers(self, row_ids: list[int]) -> None:
        """Deliver due timers in one transaction; while the store refuses, hold them and retry."""
        while True:
            try:
                fired = self._deliver_timers(row_ids, self.clock.now())
                break
            except StorageError:
                self._unfired = row_ids
                await self.health.backoff()
        self._unfired = []
        for instance_id in fired:
            self.mark_dirty(instance_id)
        self.notify()

    def _deliver_timers(self, row_ids: list[int], now: datetime) -> list[str]:
        fired: list[str] = []
        with self.transaction():
            for row_id in row_ids:
                timer = self.store.take_timer(row_id)
                if timer is None:
                    continue  # cancelled or its instance ended
                self.store.add_message(timer.instance_id, h.to_json(h.event(
                    EventType.TimerFired, now, TimerId=timer.timer_id,
                    FireAt=timer.fire_at_text)))
                fired.append(timer.instance_id)
        return fired
