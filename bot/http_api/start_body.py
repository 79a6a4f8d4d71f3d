"""The body of `POST /api/human_interaction`: every field optional, every field checked."""

from __future__ import annotations

import json
import math
from typing import Any

from bot.approvals import (
    DEFAULT_TIMEOUT_SECONDS,
    MAX_TIMEOUT_SECONDS,
    ApprovalRequest,
    InvalidRequest,
)
from bot.people import HTTP_API

# Body field -> ApprovalRequest field (the timeout fields are converted separately).
_FIELDS = {
    "request_type": "request_type",
    "amount": "amount",
    "requester": "requester",
    "description": "description",
}
_TIMEOUT_FIELDS = ("timeout_minutes", "timeout_seconds")
KNOWN_FIELDS = (*_FIELDS, *_TIMEOUT_FIELDS)


def parse_start_body(body: bytes, front_ends: tuple[str, ...] = ()) -> ApprovalRequest:
    """The ApprovalRequest a start body asks for, to be posted on `front_ends`; InvalidRequest
    names the offending field. A caller names the requester with text and can claim no chat
    account: who the requester is in a chat is worked out by that chat's front end."""
    data = _json_object(body)
    unknown = sorted(set(data) - set(KNOWN_FIELDS))
    if unknown:
        raise InvalidRequest(unknown[0], f"is not a known field (known: {', '.join(KNOWN_FIELDS)})")
    values = {target: data[name] for name, target in _FIELDS.items() if name in data}
    values["timeout_seconds"] = _timeout_seconds(data)
    return ApprovalRequest(**values, origin=HTTP_API, front_ends=front_ends)


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}  # `curl -X POST` with no body: all defaults
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise InvalidRequest("body", "must be a JSON object") from exc
    if not isinstance(data, dict):
        raise InvalidRequest("body", "must be a JSON object")
    return data


def _timeout_seconds(data: dict[str, Any]) -> int:
    if "timeout_minutes" in data and "timeout_seconds" in data:
        raise InvalidRequest("timeout_seconds", "can't be given together with timeout_minutes; give one of them")
    if "timeout_seconds" in data:
        return _whole_seconds("timeout_seconds", data["timeout_seconds"], 1)
    if "timeout_minutes" in data:
        return _whole_seconds("timeout_minutes", data["timeout_minutes"], 60)
    return DEFAULT_TIMEOUT_SECONDS


def _whole_seconds(field: str, value: Any, seconds_per_unit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidRequest(field, "must be a number")
    if isinstance(value, int) and value > MAX_TIMEOUT_SECONDS:  # too large to be a float, too
        limit = MAX_TIMEOUT_SECONDS // seconds_per_unit
        raise InvalidRequest(field, f"must be at most {limit} (6 days, the longest durable timer)")
    if not math.isfinite(value) or value <= 0:
        raise InvalidRequest(field, "must be a positive number")
    seconds = value * seconds_per_unit
    if seconds > MAX_TIMEOUT_SECONDS:
        limit = MAX_TIMEOUT_SECONDS // seconds_per_unit
        raise InvalidRequest(field, f"must be at most {limit} (6 days, the longest durable timer)")
    if seconds < 1:
        raise InvalidRequest(field, "must be at least 1 second")
    if seconds_per_unit == 1 and not float(value).is_integer():
        raise InvalidRequest(field, "must be a whole number of seconds")
    return round(seconds)
