"""The body of `POST /api/cancel/{approvalId}`: the requester withdrawing a request over HTTP.

An HTTP caller can claim no chat identity. It names the requester as the request named them
(`requester`); the function key is what authorizes the call, the name is checked against the
request and recorded, with `"via": "api"`. A request made in a chat can be cancelled only there,
by its requester's own account.
"""

from __future__ import annotations

import json
from typing import Any

from bot.approvals import MAX_APPROVER_LENGTH, MAX_REASON_LENGTH, Cancellation
from bot.http_api.decision_body import InvalidDecisionBody

KNOWN_FIELDS = ("requester", "reason")
_IDENTITY_FIELDS = ("cancelledBy", "slackUserId", "decidedBy")


def parse_cancel_body(body: bytes) -> Cancellation:
    """The Cancellation a body asks for; InvalidDecisionBody names the offending field."""
    try:
        data = json.loads(body) if body.strip() else None
    except (ValueError, RecursionError) as exc:
        raise InvalidDecisionBody("body", "must be a JSON object") from exc
    if not isinstance(data, dict):
        raise InvalidDecisionBody("body", "must be a JSON object with requester")
    for field in _IDENTITY_FIELDS:
        if field in data:
            raise InvalidDecisionBody(field, "is not accepted: a cancellation over the HTTP API can't act as a chat "
                                             "user; name the requester in requester")
    unknown = sorted(set(data) - set(KNOWN_FIELDS))
    if unknown:
        raise InvalidDecisionBody(unknown[0], f"is not a known field (known: {', '.join(KNOWN_FIELDS)})")
    return Cancellation(by=_requester(data.get("requester")), reason=_reason(data.get("reason")))


def _requester(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidDecisionBody("requester", "is required (the requester's name, as the request gave it)")
    if len(value) > MAX_APPROVER_LENGTH:
        raise InvalidDecisionBody("requester", f"must be at most {MAX_APPROVER_LENGTH} characters")
    return value


def _reason(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidDecisionBody("reason", "must be a string")
    if len(value) > MAX_REASON_LENGTH:
        raise InvalidDecisionBody("reason", f"must be at most {MAX_REASON_LENGTH} characters")
    return value
