"""The `x-ms-continuation-token` of instance queries: an opaque place in the query's order.

The extension's tokens are opaque to callers; ours name the last row of the page (created time,
instance id), so the next page starts after it. A keyset, not an offset: instances started or
purged between two pages do not shift the rest, and no row is listed twice or skipped.
"""
from __future__ import annotations

import base64
import binascii
import json

from .store import InstanceKey


class BadToken(ValueError):
    """A continuation token this host never issued."""


def token_after(key: InstanceKey) -> str:
    raw = json.dumps([key.created_time, key.instance_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def key_from_token(token: str) -> InstanceKey:
    text = token.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        created, instance_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadToken("x-ms-continuation-token is not a token this host issued") from None
    if not isinstance(created, str) or not isinstance(instance_id, str):
        raise BadToken("x-ms-continuation-token is not a token this host issued")
    return InstanceKey(created, instance_id)
