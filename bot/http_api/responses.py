"""A framework-neutral HTTP answer, so the API logic is testable without azure.functions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ApiResponse:
    """Status, body and extra headers; the blueprint turns it into a func.HttpResponse. The body
    is JSON unless `media_type` says otherwise, and then it is the text to send."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = "application/json"

    def body_text(self) -> str:
        return self.body if self.media_type != "application/json" else json.dumps(self.body)


def error(status: int, message: str, *, field: str | None = None, **extra: Any) -> ApiResponse:
    """A 4xx/5xx answer with a JSON message (and the offending field when there is one)."""
    body: dict[str, Any] = {"error": message}
    if field is not None:
        body["field"] = field
    body.update(extra)
    return ApiResponse(status, body)
