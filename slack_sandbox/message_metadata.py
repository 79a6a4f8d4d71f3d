"""Slack message metadata on chat.postMessage / chat.update: checked as Slack checks it.

Apps tag their messages with ``{"event_type": "...", "event_payload": {...}}`` so that they (or
other apps) can recognise them later in conversations.history.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

METADATA_MAX_BYTES = 8_000  # of the metadata as JSON; beyond it Slack answers metadata_too_large
EVENT_TYPE = re.compile(r"^[A-Za-z0-9_-]+$")  # letters, digits, underscores and hyphens; no periods


class MetadataError(Exception):
    """Slack's error code for metadata it refuses."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def is_removal(value: Any) -> bool:
    """chat.update's way to drop a message's metadata: an empty string or an empty object."""
    if isinstance(value, str):
        return not value.strip() or value.strip() == "{}"
    return value == {}


def parse_metadata(value: Any) -> dict[str, Any] | None:
    """The metadata argument (an object, or a JSON string from a form post) as stored on the
    message; None when absent. Not JSON or not an object: invalid_metadata_format. An
    event_type that is not a name, or an event_payload that is not an object:
    invalid_metadata_schema."""
    if value is None:
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = json.loads(value)
        except ValueError:
            raise MetadataError("invalid_metadata_format") from None
    if not isinstance(value, dict):
        raise MetadataError("invalid_metadata_format")
    event_type, payload = value.get("event_type"), value.get("event_payload")
    if not isinstance(event_type, str) or not EVENT_TYPE.match(event_type):
        raise MetadataError("invalid_metadata_schema")
    if not isinstance(payload, dict):
        raise MetadataError("invalid_metadata_schema")
    if len(json.dumps(value, ensure_ascii=False).encode()) > METADATA_MAX_BYTES:
        raise MetadataError("metadata_too_large")
    return {"event_type": event_type, "event_payload": copy.deepcopy(payload)}
