"""Durable entities in the SQLite task hub, on the same connection (and so in the same
transactions) as the instances: an orchestration's request to an entity, and an entity batch's
new state with its responses, each commit together with the rest or not at all.

Tables:
entities          EntityRow, entity_id PRIMARY KEY (`@name@key`, so name order is id order)
entity_requests   EntityRequestRow; id AUTOINCREMENT orders each entity's queue
"""
from __future__ import annotations

import sqlite3
from dataclasses import fields
from typing import Any

from .entity_store import EntityQuery, EntityRequestRow, EntityRow
from .history import iso_time
from .sqlite_reads import prefix_end, storage_errors

SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    entity_id TEXT PRIMARY KEY, name TEXT NOT NULL, key TEXT NOT NULL, state TEXT,
    last_operation_time TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entity_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT, entity_id TEXT NOT NULL, request TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entity_requests_by_entity ON entity_requests(entity_id, id);
"""
_COLUMNS = ", ".join(f.name for f in fields(EntityRow))


class SqliteEntities:
    """EntityStore over a connection that SqliteStore (writer) or SqliteReader opened."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def create_tables(self) -> None:
        self.db.executescript(SCHEMA)

    # -- reads -----------------------------------------------------------------------------
    @storage_errors
    def entity(self, entity_id: str) -> EntityRow | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM entities WHERE entity_id = ?",
                              (entity_id,)).fetchone()
        return EntityRow(*row) if row is not None else None

    @storage_errors
    def entities(self, query: EntityQuery) -> list[EntityRow]:
        clauses: list[str] = []
        params: list[Any] = []
        if query.name:
            prefix = f"@{query.name}@"
            clauses.append("entity_id >= ?")
            params.append(prefix)
            end = prefix_end(prefix)
            if end is not None:
                clauses.append("entity_id < ?")
                params.append(end)
        if query.last_operation_from is not None:
            clauses.append("last_operation_time >= ?")
            params.append(iso_time(query.last_operation_from))
        if query.last_operation_to is not None:
            clauses.append("last_operation_time <= ?")
            params.append(iso_time(query.last_operation_to))
        if query.after is not None:
            clauses.append("entity_id > ?")
            params.append(query.after)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        limit = -1 if query.limit is None else query.limit
        return [EntityRow(*r) for r in self.db.execute(
            f"SELECT {_COLUMNS} FROM entities {where} ORDER BY entity_id LIMIT ?",
            [*params, limit])]

    @storage_errors
    def queue_lengths(self) -> dict[str, int]:
        return {entity_id: n for entity_id, n in self.db.execute(
            "SELECT entity_id, COUNT(*) FROM entity_requests GROUP BY entity_id")}

    @storage_errors
    def requests(self, entity_id: str, limit: int) -> list[EntityRequestRow]:
        return [EntityRequestRow(*r) for r in self.db.execute(
            "SELECT id, entity_id, request FROM entity_requests WHERE entity_id = ?"
            " ORDER BY id LIMIT ?", (entity_id, limit))]

    @storage_errors
    def entities_with_requests(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT entity_id FROM entity_requests")]

    # -- writes (inside the store's transaction) -------------------------------------------
    def add_request(self, entity_id: str, request_json: str) -> None:
        self.db.execute("INSERT INTO entity_requests (entity_id, request) VALUES (?, ?)",
                        (entity_id, request_json))

    def delete_requests(self, entity_id: str, up_to_id: int) -> None:
        self.db.execute("DELETE FROM entity_requests WHERE entity_id = ? AND id <= ?",
                        (entity_id, up_to_id))

    def put_entity(self, row: EntityRow) -> None:
        self.db.execute(f"INSERT OR REPLACE INTO entities ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                        (row.entity_id, row.name, row.key, row.state, row.last_operation_time))

    def delete_entity(self, entity_id: str) -> None:
        self.db.execute("DELETE FROM entities WHERE entity_id = ?", (entity_id,))
