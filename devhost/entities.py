"""Durable entities: operations queue per entity and run one batch at a time, in arrival order.

Requests come from clients (`signal_entity`, the entity HTTP API) and from orchestrations
(`call_entity`, `signal_entity`, written in the same transaction as the episode that issued
them, so a replay after a crash never sends them twice). A batch runs the entity function once
through the SDK; its new state, the responses to its callers (an EventRaised named by the
request id, which the SDK matches to the call re-keyed by its EventSent; protocol doc §3.2) and
the removal of its operations then commit in one transaction. Killed mid-batch, the operations
are still queued and the state is the old one, so each operation is applied exactly once.
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import history as h
from .entity_batch import BatchOutcome, OperationOutcome, failed_batch, run_batch
from .entity_store import EntityRequestRow, EntityRow, EntityStore, scheduler_id, split_scheduler_id
from .history import EventType
from .store import TERMINAL, InstanceRow, StorageError

if TYPE_CHECKING:
    from .engine import Engine
    from .replay import NewTask

log = logging.getLogger("devhost")
BATCH_SIZE = 100  # operations given to one call of the entity function
_BAD_KEY_CHARS = frozenset("/\\#?")


class EntityRefused(Exception):
    """A signal the extension refuses with ArgumentException (HTTP 400)."""


def unknown_entity_message(name: str, known: list[str]) -> str:
    message = (f"The function '{name}' doesn't exist, is disabled, or is not an entity "
               "function. Additional info: ")
    if known:
        return message + "The following are the known entity functions: '" \
            + "', '".join(known) + "'."
    return message + "No entity functions are currently registered!"


def check_key(key: str) -> None:
    if any(c in _BAD_KEY_CHARS or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in key):
        raise EntityRefused("Entity keys must not contain /, \\, #, ?, or control characters.")


class EntityWorker:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._dirty: dict[str, None] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._pump_task: asyncio.Task[None] | None = None

    @property
    def store(self) -> EntityStore:
        return self.engine.store.entities

    def known(self) -> list[str]:
        return sorted(self.engine.index.entities)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        for entity_id in self.store.entities_with_requests():
            self.mark_dirty(entity_id)
        self._pump_task = asyncio.create_task(self._pump(), name="devhost-entities")

    async def stop(self) -> None:
        tasks = [t for t in (self._pump_task, *self._running.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def is_idle(self) -> bool:
        return not self._dirty and not self._running

    def mark_dirty(self, entity_id: str) -> None:
        if self.engine.background is not None:
            self.engine.background.entity(entity_id)
            return
        self._dirty[entity_id] = None
        self._wake.set()

    # -- requests in -----------------------------------------------------------------------
    def signal(self, name: str, key: str, operation: str, input_json: str | None) -> None:
        """A client's signal (one transaction); raises EntityRefused as the extension would."""
        check_key(key)
        if self.engine.index.entity(name) is None:
            raise EntityRefused(unknown_entity_message(name, self.known()))
        request: dict[str, Any] = {"op": operation, "signal": True, "id": str(uuid.uuid4())}
        if input_json is not None:
            request["input"] = input_json
        entity_id = scheduler_id(name, key)
        with self.engine.transaction():
            self.store.add_request(entity_id, json.dumps(request))
        self.mark_dirty(entity_id)
        self.engine.notify()

    def send(self, row: InstanceRow, task: NewTask, now: datetime) -> dict[str, Any]:
        """Queue an orchestration's call or signal (inside its episode's transaction) and return
        the EventSent event that records it in the orchestration's history."""
        entity_id = task.name
        name, _key = split_scheduler_id(entity_id)
        request: dict[str, Any] = {"op": task.operation or "", "id": str(uuid.uuid4()),
                                   "parent": row.instance_id, "parentExecution": row.execution_id}
        if task.kind == "signal":
            request["signal"] = True
        if task.input is not None:
            request["input"] = json.dumps(task.input)  # the action's JSON text, serialized
        if self.engine.index.entity(name) is not None:
            self.store.add_request(entity_id, json.dumps(request))
            self.engine._after_commit(lambda: self.mark_dirty(entity_id))
        elif task.kind == "entity":  # the call fails in the orchestrator, with the reason
            self._respond(request, OperationOutcome(
                json.dumps(unknown_entity_message(name, self.known())), is_error=True), now)
        else:
            log.warning("orchestration %s signalled entity %s, which has no entity function; "
                        "the signal is dropped", row.instance_id, entity_id)
        return h.event(EventType.EventSent, now, task.task_id, InstanceId=entity_id, Name="op",
                       Input=json.dumps(request))

    # -- batches ---------------------------------------------------------------------------
    async def _pump(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            for entity_id in list(self._dirty):
                if entity_id in self._running:
                    continue  # its batch loop reads the queue again before it stops
                del self._dirty[entity_id]
                task = asyncio.create_task(self._drain(entity_id))
                self._running[entity_id] = task
                task.add_done_callback(functools.partial(self._finished, entity_id))

    def _finished(self, entity_id: str, _task: asyncio.Task[None]) -> None:
        self._running.pop(entity_id, None)
        if entity_id in self._dirty:
            self._wake.set()
        self.engine.notify()

    async def _drain(self, entity_id: str) -> None:
        """Run batches on one entity until its queue is empty."""
        while True:
            try:
                rows = self.store.requests(entity_id, BATCH_SIZE)
                current = self.store.entity(entity_id) if rows else None
            except StorageError:
                await self.engine.health.backoff()
                continue
            if not rows:
                return
            outcome = await self._run(entity_id, current, rows)
            while True:
                try:
                    self._commit(entity_id, rows, outcome)
                    break
                except StorageError:
                    await self.engine.health.backoff()
            self.engine.notify()

    async def _run(self, entity_id: str, current: EntityRow | None,
                   rows: list[EntityRequestRow]) -> BatchOutcome:
        name, key = split_scheduler_id(entity_id)
        state = current.state if current is not None else None
        fn = self.engine.index.entity(name)
        if fn is None:  # queued by an app version that had this entity function
            return failed_batch(state, len(rows), unknown_entity_message(name, self.known()))
        requests = [json.loads(r.request) for r in rows]
        return await run_batch(fn, key, state, requests, self.engine.executor)

    def _commit(self, entity_id: str, rows: list[EntityRequestRow],
                outcome: BatchOutcome) -> None:
        name, key = split_scheduler_id(entity_id)
        now = self.engine.clock.now()
        with self.engine.transaction():
            self.store.delete_requests(entity_id, rows[-1].id)
            if outcome.exists:
                self.store.put_entity(EntityRow(entity_id, name, key, outcome.state or "null",
                                                h.iso_time(now)))
            else:
                self.store.delete_entity(entity_id)
            for row, result in zip(rows, outcome.results):
                request = json.loads(row.request)
                if not request.get("signal") and request.get("parent"):
                    self._respond(request, result, now)
            for signal in outcome.signals:
                self._forward(entity_id, signal)

    def _respond(self, request: dict[str, Any], result: OperationOutcome, now: datetime) -> None:
        """The response to a call_entity, unless its orchestration has ended or moved on."""
        parent_id = request["parent"]
        parent = self.engine.store.instance(parent_id)
        if (parent is None or parent.execution_id != request.get("parentExecution")
                or parent.runtime_status in TERMINAL):
            return
        response: dict[str, Any] = {"result": result.result}
        if result.is_error:
            response["exceptionType"] = "Error"
        self.engine.store.add_message(parent_id, h.to_json(h.event(
            EventType.EventRaised, now, Name=request["id"], Input=json.dumps(response))))
        self.engine._after_commit(lambda: self.engine.mark_dirty(parent_id))

    def _forward(self, source: str, signal: dict[str, Any]) -> None:
        """A signal an entity sent to another entity."""
        target = signal.get("target") or {}
        if isinstance(target, dict):
            target_id = scheduler_id(str(target.get("name", "")), str(target.get("key", "")))
        else:
            target_id = str(target)
        request = {"op": signal.get("name", ""), "signal": True, "id": str(uuid.uuid4()),
                   "parent": source, "input": signal.get("input")}
        self.store.add_request(target_id, json.dumps(request))
        self.engine._after_commit(lambda: self.mark_dirty(target_id))
