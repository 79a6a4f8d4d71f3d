"""The query of `GET /api/approvals`: every parameter checked, each mistake named.

`from` and `to` bound when the outcome was reached: `from` inclusive, `to` exclusive; a bare date
means midnight UTC at its start, except that a bare `to` date includes its whole day, so
`from=2026-11-01&to=2026-11-30` is all of November. Without them: the last 30 days up to now.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.approvals import FINAL_STATUSES, InvalidRequest, parse_timestamp

FORMATS = ("json", "csv")
DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
DEFAULT_PERIOD = timedelta(days=30)
MAX_PERIOD = timedelta(days=366)
MIN_YEAR, MAX_YEAR = 2000, 9000
# Outcomes one can ask for: every outcome the workflow records.
STATUSES = FINAL_STATUSES
# `code` carries the function key in Azure.
KNOWN = ("from", "to", "status", "format", "limit", "continuation", "code")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TOKEN = re.compile(r"^[\x21-\x7e]{1,4096}$")


@dataclass(frozen=True)
class ExportQuery:
    start: datetime
    end: datetime
    statuses: tuple[str, ...]  # empty: every outcome
    format: str
    limit: int
    continuation: str | None


def parse_export_query(params: Mapping[str, str], now: datetime) -> ExportQuery:
    """The query `params` ask for; InvalidRequest names the offending parameter."""
    unknown = sorted(set(params) - set(KNOWN))
    if unknown:
        raise InvalidRequest(unknown[0], f"is not a known parameter (known: {', '.join(KNOWN[:-1])})")
    end = _moment(params, "to", end_of_day=True) or now
    start = _moment(params, "from", end_of_day=False) or end - DEFAULT_PERIOD
    if start >= end:
        raise InvalidRequest("to", "must be later than from")
    if end - start > MAX_PERIOD:
        raise InvalidRequest("from", f"must be at most {MAX_PERIOD.days} days before to")
    fmt = (params.get("format") or "json").strip().lower()
    if fmt not in FORMATS:
        raise InvalidRequest("format", f"must be one of {', '.join(FORMATS)}")
    continuation = params.get("continuation") or None
    if continuation is not None and not _TOKEN.fullmatch(continuation):
        raise InvalidRequest("continuation", "is not a continuation token from a previous page")
    return ExportQuery(start, end, _statuses(params.get("status")), fmt, _limit(params.get("limit")), continuation)


def _moment(params: Mapping[str, str], name: str, *, end_of_day: bool) -> datetime | None:
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        if _DATE.fullmatch(text):
            moment = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
            moment += timedelta(days=1) if end_of_day else timedelta(0)
        else:
            moment = parse_timestamp(text)
    except (ValueError, OverflowError):
        raise InvalidRequest(name, "must be a date (2026-11-30) or a UTC time (2026-11-30T17:00:00Z)") from None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise InvalidRequest(name, f"must fall between the years {MIN_YEAR} and {MAX_YEAR}")
    return moment


def _statuses(text: str | None) -> tuple[str, ...]:
    if not text or not text.strip():
        return ()
    by_name = {status.lower(): status for status in STATUSES}
    chosen = []
    for part in text.split(","):
        status = by_name.get(part.strip().lower())
        if status is None:
            raise InvalidRequest("status", f"must be a comma list of {', '.join(STATUSES)}")
        chosen.append(status)
    return tuple(dict.fromkeys(chosen))


def _limit(text: str | None) -> int:
    if text is None or not text.strip():
        return DEFAULT_LIMIT
    try:
        limit = int(text.strip())
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    return limit
