"""The task hub's storage, as the engine, the durable API and the dashboard see it.

Everything above this module speaks in typed rows and query values; only a backend module
(today `sqlite_store` with `sqlite_reads`) knows how they are kept. Another backend implements
`TaskHubStore` (and the read-only `InstanceReader` it opens for the dashboard) and is chosen
in `host.DevHost.start`.

Times are store text: ISO-8601 UTC like 2024-05-01T12:00:00.123456Z (`history.iso_time`), which
sorts as time. JSON values are kept as JSON text, exactly as the SDK sent them.
"""
from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .entity_store import EntityReader, EntityStore

TERMINAL = ("Completed", "Failed", "Terminated", "Canceled")
ACTIVE = ("Running", "Pending", "Suspended", "ContinuedAsNew")
# How long a write waits for another writer's transaction before failing with StorageError.
LOCK_WAIT_SECONDS = 5.0
STATUSES = ("Pending", "Running", "Suspended", "Completed", "Failed", "Terminated",
            "ContinuedAsNew", "Canceled")


class StorageError(Exception):
    """The store could not read or write just now (locked past its wait, disk full, I/O).

    Nothing was changed. The same call may work later: callers retry or answer 503."""


class StoreUnusable(Exception):
    """The store cannot be opened at all (not a database, a path that cannot be created)."""


class DatabaseInUse(StoreUnusable):
    """Another devhost process holds this database."""


@dataclass(slots=True)
class InstanceRow:
    """One orchestration instance (its current execution)."""
    instance_id: str
    name: str                       # orchestrator function name
    execution_id: str               # changes on continue-as-new and restart
    runtime_status: str             # one of STATUSES
    input: str | None               # JSON text (None: no input)
    output: str | None              # JSON text; for Failed the JSON string "Orchestrator function
    #                                 '<name>' failed: <error>"; for Terminated the reason
    custom_status: str | None       # JSON text
    created_time: str
    last_updated_time: str
    parent_instance_id: str | None = None   # sub-orchestrations: who to tell when it ends
    parent_execution_id: str | None = None
    parent_task_id: int | None = None
    tasks: str = "[]"               # JSON [[task_id, kind, name, primary], ...] scheduled so far
    # While the function has returned but a durable timer it neither awaited nor cancelled is
    # still armed: the JSON text of its output ("null" for none). The instance stays Running and
    # completes with it when its last armed timer fires, as the extension does.
    pending_output: str | None = None
    # The orchestration version (ExecutionStarted.Version): given at start or the host's
    # defaultVersion then; None when neither existed. Kept across continue-as-new.
    version: str | None = None


INSTANCE_FIELDS = frozenset(f.name for f in fields(InstanceRow))


@dataclass(slots=True)
class MessageRow:
    """A new event not yet given to the orchestrator; `id` orders them."""
    id: int
    event: str                      # HistoryEvent JSON


@dataclass(slots=True)
class TimerRow:
    """An armed durable timer."""
    id: int
    instance_id: str
    execution_id: str
    timer_id: int                   # the task id
    fire_at: float                  # unix seconds
    fire_at_text: str               # as the SDK wrote it (FireAt)


@dataclass(slots=True)
class ActivityRow:
    """An activity scheduled and not yet finished (run again after a crash)."""
    id: int
    instance_id: str
    execution_id: str
    task_id: int
    name: str
    input: str | None


@dataclass(frozen=True, slots=True)
class InstanceKey:
    """A row's place in the (created_time, instance_id) order: where a page ends."""
    created_time: str
    instance_id: str


@dataclass(frozen=True)
class InstanceQuery:
    """Which instances, in which order, which slice. Empty fields do not filter."""
    statuses: tuple[str, ...] = ()
    name: str | None = None
    id_prefix: str | None = None
    created_from: datetime | None = None    # inclusive
    created_to: datetime | None = None      # inclusive
    newest_first: bool = False              # order by (created_time, instance_id), this way
    after: InstanceKey | None = None        # keyset paging: only rows past this one
    offset: int = 0
    limit: int | None = None                # None: all


@dataclass
class InstanceSnapshot:
    """An instance with its history and open work, read at one moment."""
    instance: InstanceRow
    history: list[str]              # HistoryEvent JSON, in order
    timers: list[TimerRow]          # armed timers of the current execution, by fire time
    activities: list[ActivityRow]   # unfinished activities of the current execution


class InstanceReader(Protocol):
    """What the status API and the dashboard read. Every call may raise StorageError."""

    def instance(self, instance_id: str) -> InstanceRow | None: ...

    def instances(self, query: InstanceQuery) -> list[InstanceRow]: ...

    def count_by_status(self, query: InstanceQuery) -> dict[str, int]:
        """Matching instances per runtime status (the filters of `query`; its order and paging
        do not apply)."""
        ...

    def names(self) -> list[str]:
        """Distinct orchestrator names, sorted."""
        ...

    def history(self, instance_id: str) -> list[str]: ...

    def snapshot(self, instance_id: str) -> InstanceSnapshot | None: ...

    def change_token(self) -> int:
        """A number that changes whenever another writer commits (cheap: polled by pages)."""
        ...

    def close(self) -> None: ...

    @property
    def entities(self) -> EntityReader:
        """The durable entities (entity_store)."""
        ...


class TaskHubStore(InstanceReader, Protocol):
    """The engine's store. Writes happen inside `transaction()`: all of them or none."""

    def transaction(self) -> AbstractContextManager[None]: ...

    def open_reader(self) -> InstanceReader:
        """A separate read-only view (the dashboard's), which sees this store's commits."""
        ...

    def set_lock_wait(self, seconds: float) -> None:
        """How long a write waits for another writer before failing with StorageError."""
        ...

    @property
    def entities(self) -> EntityStore:
        """The durable entities; their writes join `transaction()`."""
        ...

    # instances
    def insert_instance(self, row: InstanceRow) -> None: ...

    def update_instance(self, instance_id: str, **changes: object) -> None:
        """Set the named InstanceRow fields."""
        ...

    def delete_instance(self, instance_id: str) -> None:
        """Remove an instance and everything it owns (purge, or replacing a finished one)."""
        ...

    # history
    def history_length(self, instance_id: str) -> int: ...

    def append_history(self, instance_id: str, first_seq: int,
                       events: Sequence[tuple[int, str]]) -> None:
        """Append (event type, event JSON) pairs numbered from `first_seq`."""
        ...

    def clear_history(self, instance_id: str) -> None: ...

    # messages
    def add_message(self, instance_id: str, event_json: str) -> None: ...

    def messages(self, instance_id: str) -> list[MessageRow]: ...

    def delete_messages(self, instance_id: str, up_to_id: int) -> None: ...

    def instances_with_messages(self) -> list[str]: ...

    # timers
    def add_timer(self, instance_id: str, execution_id: str, timer_id: int, fire_at: float,
                  fire_at_text: str) -> int: ...

    def take_timer(self, row_id: int) -> TimerRow | None:
        """Remove and return an armed timer; None when it was cancelled or its instance ended."""
        ...

    def cancel_timer(self, instance_id: str, timer_id: int) -> None: ...

    def armed_timers(self, instance_id: str, execution_id: str) -> int:
        """How many timers of this execution are neither fired nor cancelled."""
        ...

    def timer_schedule(self) -> list[tuple[float, int]]:
        """(fire_at, row id) of every armed timer, to rebuild the timer queue on start."""
        ...

    def drop_pending_work(self, instance_id: str) -> None:
        """Forget armed timers and unfinished activities (instance ended or restarted)."""
        ...

    # activities
    def add_activity(self, instance_id: str, execution_id: str, task_id: int, name: str,
                     input_json: str | None) -> int: ...

    def finish_activity(self, row_id: int) -> bool:
        """Remove the activity; False when it was already gone (instance ended)."""
        ...

    def all_activities(self) -> list[ActivityRow]: ...
