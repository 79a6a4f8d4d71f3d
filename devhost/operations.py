"""What the durable client can ask of the task hub: start, raise, terminate, suspend, resume,
restart, purge. Each operation is one transaction; the HTTP layer maps results to status codes."""
from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from enum import Enum

from . import history as h
from .engine import Engine
from .history import EventType
from .store import ACTIVE, TERMINAL, InstanceQuery, InstanceRow


class Outcome(Enum):
    ACCEPTED = "accepted"
    NOT_FOUND = "not_found"
    GONE = "gone"          # the instance already finished
    INVALID = "invalid"    # e.g. suspending a suspended instance


class OperationError(Exception):
    """A request the extension answers with ArgumentException (400) or a 500."""

    def __init__(self, message: str, exception_message: str, *, bad_request: bool) -> None:
        super().__init__(exception_message)
        self.message = message
        self.exception_message = exception_message
        self.bad_request = bad_request


_BAD_ID = re.compile(r"[/\\?#\x00-\x1f\x7f-\x9f]")


def check_instance_id(instance_id: str) -> None:
    if (not instance_id or instance_id.startswith("@") or _BAD_ID.search(instance_id)
            or len(instance_id) > 256):
        raise OperationError("One or more of the arguments submitted is incorrect",
                             f"Invalid instance ID '{instance_id}'. Instance IDs must not be empty, "
                             "start with '@', contain '/', '\\', '?', '#' or control characters, "
                             "or be longer than 256 characters.", bad_request=True)


class Operations:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.store = engine.store

    def _unfinished(self, instance_id: str) -> tuple[InstanceRow | None, Outcome | None]:
        """The instance row, or why an operation on it is refused (unknown or finished)."""
        row = self.store.instance(instance_id)
        if row is None:
            return None, Outcome.NOT_FOUND
        if row.runtime_status in TERMINAL:
            return row, Outcome.GONE
        return row, None

    def _now(self) -> datetime:
        return self.engine.clock.now()

    def start(self, name: str, instance_id: str | None, input_json: str | None,
              version: str | None = None) -> str:
        """Start `name`; `version` None means the host's defaultVersion (as the extension)."""
        orchestrator = self.engine.index.orchestrator(name)
        if orchestrator is None:
            known = ", ".join(f"'{o.name}'" for o in self.engine.index.orchestrators.values())
            raise OperationError(
                "One or more of the arguments submitted is incorrect",
                f"The function '{name}' doesn't exist, is disabled, or is not an orchestrator "
                f"function. Additional info: The following are the known orchestrator functions: "
                f"{known}.", bad_request=True)
        instance_id = instance_id if instance_id is not None else uuid.uuid4().hex
        check_instance_id(instance_id)
        with self.engine.transaction():
            existing = self.store.instance(instance_id)
            if existing is not None and existing.runtime_status in ACTIVE:
                raise OperationError(
                    "Something went wrong while processing your request",
                    f"An Orchestration instance with the status {existing.runtime_status} "
                    f"already exists.", bad_request=False)
            self.engine.create_instance(orchestrator.name, instance_id, input_json, self._now(),
                                        version=self.engine.versioning.version_for_new(version))
        self.engine.notify()
        return instance_id

    def raise_event(self, instance_id: str, event_name: str, input_json: str | None) -> Outcome:
        with self.engine.transaction():
            row, refusal = self._unfinished(instance_id)
            if refusal is not None:
                return refusal
            assert row is not None  # no refusal: the instance exists
            self.store.add_message(instance_id, h.to_json(h.event(
                EventType.EventRaised, self._now(), Name=event_name, Input=input_json)))
        self.engine.mark_dirty(instance_id, urgent=True)
        return Outcome.ACCEPTED

    def terminate(self, instance_id: str, reason: str | None) -> Outcome:
        now = self._now()
        with self.engine.transaction():
            row, refusal = self._unfinished(instance_id)
            if refusal is not None:
                return refusal
            assert row is not None  # no refusal: the instance exists
            output = json.dumps(reason) if reason is not None else None
            self.engine.end_execution(row, "Terminated", output, [h.event(
                EventType.ExecutionTerminated, now, Input=output)], now)
        self.engine.notify()
        return Outcome.ACCEPTED

    def suspend(self, instance_id: str, reason: str | None) -> Outcome:
        return self._pause(instance_id, reason, suspend=True)

    def resume(self, instance_id: str, reason: str | None) -> Outcome:
        return self._pause(instance_id, reason, suspend=False)

    def _pause(self, instance_id: str, reason: str | None, *, suspend: bool) -> Outcome:
        now = self._now()
        with self.engine.transaction():
            row, refusal = self._unfinished(instance_id)
            if refusal is not None:
                return refusal
            assert row is not None  # no refusal: the instance exists
            if (row.runtime_status == "Suspended") == suspend:
                return Outcome.INVALID
            kind = EventType.ExecutionSuspended if suspend else EventType.ExecutionResumed
            seq = self.store.history_length(instance_id)
            self.store.append_history(instance_id, seq, [(int(kind), h.to_json(
                {**h.event(kind, now, Reason=reason), "IsPlayed": True}))])
            self.store.update_instance(instance_id, last_updated_time=h.iso_time(now),
                                       runtime_status="Suspended" if suspend else "Running")
        if not suspend:
            self.engine.mark_dirty(instance_id)
        self.engine.notify()
        return Outcome.ACCEPTED

    def restart(self, instance_id: str, new_instance_id: bool) -> str:
        row = self.store.instance(instance_id)
        if row is None:
            raise OperationError("InstanceId does not match a valid orchestration instance.",
                                 f"An orchestrastion with the instanceId {instance_id} was not "
                                 "found.", bad_request=True)
        return self.start(row.name, None if new_instance_id else instance_id, row.input)

    def purge(self, instance_id: str) -> int:
        with self.engine.transaction():
            row = self.store.instance(instance_id)
            if row is None or row.runtime_status not in TERMINAL:
                return 0
            self.store.delete_instance(instance_id)
        self.engine.notify()
        return 1

    def purge_by(self, query: InstanceQuery) -> int:
        with self.engine.transaction():
            rows = self.store.instances(query)
            doomed = [r.instance_id for r in rows if r.runtime_status in TERMINAL]
            for instance_id in doomed:
                self.store.delete_instance(instance_id)
        self.engine.notify()
        return len(doomed)
