"""The instance list the dashboard pages through: its filters, newest-first keyset paging over
the store's InstanceQuery, and the cursor text a page hands out for the next one."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace

from ..store import STATUSES, InstanceKey, InstanceQuery, InstanceReader, InstanceRow

MAX_PAGE = 200


class BadQuery(ValueError):
    """A filter or cursor the dashboard API refuses with 400."""


def list_query(statuses: tuple[str, ...] = (), name: str | None = None,
               id_prefix: str | None = None) -> InstanceQuery:
    """The newest-first query of the instance list; unknown statuses are refused."""
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise BadQuery(f"unknown runtime status {unknown[0]!r} (known: {', '.join(STATUSES)})")
    return InstanceQuery(statuses=statuses, name=name, id_prefix=id_prefix, newest_first=True)


def encode_cursor(key: InstanceKey) -> str:
    raw = json.dumps([key.created_time, key.instance_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str) -> InstanceKey:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        created, instance_id = json.loads(raw)
        if not isinstance(created, str) or not isinstance(instance_id, str):
            raise ValueError
    except (ValueError, TypeError):
        raise BadQuery("cursor is not one this dashboard handed out") from None
    return InstanceKey(created, instance_id)


@dataclass
class Page:
    rows: list[InstanceRow]
    next_cursor: InstanceKey | None


def instance_page(reader: InstanceReader, query: InstanceQuery, after: InstanceKey | None,
         limit: int) -> Page:
    """One page of `query` after `after`; reads one row more to know whether another follows."""
    if not 1 <= limit <= MAX_PAGE:
        raise BadQuery(f"limit must be between 1 and {MAX_PAGE}")
    rows = reader.instances(replace(query, after=after, limit=limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None
    return Page(rows, InstanceKey(last.created_time, last.instance_id) if last else None)
