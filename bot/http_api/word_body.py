"""Reading the JSON body of a decision or a cancellation: one object of known fields, no claimed
chat identity, text fields within their limits. Each error names the field, so the 400 can."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class InvalidDecisionBody(ValueError):
    """A body that delivers nothing; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} {message}")
        self.field = field
        self.message = message


def json_object(body: bytes, *, known: tuple[str, ...], identity_fields: tuple[str, ...], name_hint: str) -> dict[str, Any]:
    """The body's object: only `known` fields, and none that would act as a chat user."""
    try:
        data = json.loads(body) if body.strip() else None
    except (ValueError, RecursionError) as exc:
        raise InvalidDecisionBody("body", "must be a JSON object") from exc
    if not isinstance(data, dict):
        raise InvalidDecisionBody("body", "must be a JSON object")
    for field in identity_fields:
        if field in data:
            raise InvalidDecisionBody(field, f"is not accepted: the HTTP API can't act as a chat user; {name_hint}")
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise InvalidDecisionBody(unknown[0], f"is not a known field (known: {', '.join(known)})")
    return data


def text(data: Mapping[str, Any], field: str, *, max_length: int, required: str | None = None) -> str:
    """A string field: `required` says what is missing when it must be there; else absent is ""."""
    value = data.get(field)
    if required is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidDecisionBody(field, f"is required ({required})")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidDecisionBody(field, "must be a string")
    if len(value) > max_length:
        raise InvalidDecisionBody(field, f"must be at most {max_length} characters")
    return value
