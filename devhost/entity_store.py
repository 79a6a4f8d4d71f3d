"""Durable entities as the store keeps them: each entity's state and its queue of operations.

An entity is named by its scheduler id `@<name>@<key>` (name in lower case, as the extension's
EntityId keeps it). Its queued operations are RequestMessage JSON, exactly as the extension
writes them (`op`, `signal`, `input`, `id`, `parent`, `parentExecution`), in arrival order.
Only `sqlite_entities` knows how they are kept; these writes join the engine's transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(slots=True)
class EntityRow:
    """An entity that exists (an entity whose state was deleted has no row)."""
    entity_id: str                  # @name@key
    name: str
    key: str
    state: str | None               # JSON text as the SDK returned it (entityState)
    last_operation_time: str        # store text (history.iso_time)


@dataclass(slots=True)
class EntityRequestRow:
    """An operation waiting for its entity; `id` orders them."""
    id: int
    entity_id: str
    request: str                    # RequestMessage JSON


@dataclass(frozen=True)
class EntityQuery:
    """Which entities, in entity id order. Empty fields do not filter."""
    name: str | None = None                     # lower case
    last_operation_from: datetime | None = None  # inclusive
    last_operation_to: datetime | None = None    # inclusive
    after: str | None = None                    # keyset paging: ids past this one
    limit: int | None = None


def scheduler_id(name: str, key: str) -> str:
    return f"@{name.lower()}@{key}"


def split_scheduler_id(entity_id: str) -> tuple[str, str]:
    """(name, key) of `@name@key`; the key may itself contain '@'."""
    name, _, key = entity_id[1:].partition("@")
    return name, key


class EntityReader(Protocol):
    """What the entity HTTP API and the dashboard read. Every call may raise StorageError."""

    def entity(self, entity_id: str) -> EntityRow | None: ...

    def entities(self, query: EntityQuery) -> list[EntityRow]: ...

    def queue_lengths(self) -> dict[str, int]:
        """Operations waiting, per entity id (only entities that have some)."""
        ...


class EntityStore(EntityReader, Protocol):
    """The engine's side; writes happen inside the task hub's `transaction()`."""

    def add_request(self, entity_id: str, request_json: str) -> None: ...

    def requests(self, entity_id: str, limit: int) -> list[EntityRequestRow]: ...

    def delete_requests(self, entity_id: str, up_to_id: int) -> None: ...

    def entities_with_requests(self) -> list[str]: ...

    def put_entity(self, row: EntityRow) -> None:
        """Insert or replace the entity's row."""
        ...

    def delete_entity(self, entity_id: str) -> None: ...
