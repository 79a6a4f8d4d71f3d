"""The dashboard's entity list: every entity that exists, with its state and how many
operations wait for it, plus entities that have operations queued but no state yet."""
from __future__ import annotations

from typing import Any

from ..entity_store import EntityQuery, EntityReader, split_scheduler_id
from ..status import json_value
from .queries import MAX_PAGE, BadQuery


def entities_json(reader: EntityReader, name: str | None, after: str | None,
                  limit: int) -> dict[str, Any]:
    """One page of entities in id order, and the id to continue after (None: last page)."""
    if not 1 <= limit <= MAX_PAGE:
        raise BadQuery(f"limit must be between 1 and {MAX_PAGE}")
    if after is not None and not after.startswith("@"):
        raise BadQuery("after must be an entity id (@name@key) this dashboard handed out")
    rows = reader.entities(EntityQuery(name=name.lower() if name else None, after=after,
                                       limit=limit + 1))
    last_page = len(rows) <= limit
    rows = rows[:limit]
    queued = reader.queue_lengths()
    items = [{"entityId": r.entity_id, "name": r.name, "key": r.key, "exists": True,
              "state": json_value(r.state), "lastOperationTime": r.last_operation_time,
              "queued": queued.pop(r.entity_id, 0)} for r in rows]
    for entity_id, count in sorted(queued.items()):  # not created yet: shown on the last page
        entity_name, key = split_scheduler_id(entity_id)
        if last_page and (not name or entity_name == name.lower()) and (
                after is None or entity_id > after):
            items.append({"entityId": entity_id, "name": entity_name, "key": key,
                          "exists": False, "state": None, "lastOperationTime": None,
                          "queued": count})
    return {"entities": items, "next": None if last_page else rows[-1].entity_id}
