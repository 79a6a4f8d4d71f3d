"""A framework-neutral HTTP answer, so the API logic is testable without azure.functions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ApiResponse:
    """Status, JSON body and extra headers; the blueprint turns it into a func.HttpResponse."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    def body_text(self) -> str:
        return json.dumps(self.body)


def error(status: int, message: str, *, field: str | None = None, **extra: Any) -> ApiResponse:
    """A 4xx/5xx answer with a JSON message (and the offending field when there is one)."""
    body: dict[str, Any] = {"error": message}
    if field is not None:
        body["field"] = field
    body.update(extra)
    return ApiResponse(status, body)
