"""conversations.history's paging: a time window (``oldest``/``latest``/``inclusive``), newest
first, ``limit`` messages a page and an opaque cursor naming where the next page starts."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .workspace import Message

DEFAULT_LIMIT = 100
MAX_LIMIT = 999  # Slack: "Maximum of 999"
CURSOR_PREFIX = "next_ts:"
TS = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,9})?$")  # Unix seconds, optionally with a fraction (Slack: microseconds)


class HistoryError(Exception):
    """Slack's error code for an argument it refuses."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_ts(value: str | None, error: str) -> Decimal | None:
    """A Unix timestamp argument ("1700000000.000100", "1700000000" or "0"); None when absent."""
    if value is None or value == "":
        return None
    if not TS.match(value.strip()):
        raise HistoryError(error)
    return Decimal(value.strip())


def parse_limit(value: str | None) -> int:
    """``limit``: 100 when absent or 0, at most 999."""
    if value is None or value == "":
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        raise HistoryError("invalid_arguments") from None
    if limit < 0:
        raise HistoryError("invalid_arguments")
    return min(limit, MAX_LIMIT) or DEFAULT_LIMIT


def encode_cursor(ts: str) -> str:
    return base64.b64encode(f"{CURSOR_PREFIX}{ts}".encode()).decode()


def decode_cursor(cursor: str) -> Decimal:
    """The ts of the newest message the cursor's page may hold; invalid_cursor otherwise."""
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise HistoryError("invalid_cursor") from None
    ts = text.removeprefix(CURSOR_PREFIX)
    if not text.startswith(CURSOR_PREFIX) or not TS.match(ts):
        raise HistoryError("invalid_cursor")
    return Decimal(ts)


@dataclass(frozen=True)
class Window:
    oldest: Decimal | None = None
    latest: Decimal | None = None
    inclusive: bool = False

    def holds(self, ts: Decimal) -> bool:
        """Is a message with this ts inside? The bounds count only with ``inclusive``."""
        if self.oldest is not None and (ts < self.oldest or (ts == self.oldest and not self.inclusive)):
            return False
        return not (self.latest is not None and (ts > self.latest or (ts == self.latest and not self.inclusive)))


@dataclass(frozen=True)
class Page:
    messages: list[Message]
    next_cursor: str | None  # None: this is the last page

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def page_of(messages: Sequence[Message], window: Window, limit: int, cursor: str | None = None) -> Page:
    """One page of ``messages`` (in posting order), newest first, inside the window and at or
    below the cursor's start."""
    start = decode_cursor(cursor) if cursor else None
    found = [m for m in reversed(messages) if window.holds(Decimal(m.ts)) and (start is None or Decimal(m.ts) <= start)]
    page, rest = found[:limit], found[limit:]
    return Page(page, encode_cursor(rest[0].ts) if rest else None)

