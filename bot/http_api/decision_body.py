"""The body of `POST /api/approve/{approvalId}`: a decision made over the HTTP API.

An HTTP caller names themselves with free text (`approver`) and can claim no chat identity: the
decision is recorded as made through the API, and chat messages show the name as plain text.
"""

from __future__ import annotations

import json
from typing import Any

from bot.approvals import MAX_APPROVER_LENGTH, MAX_COMMENTS_LENGTH, Decision

KNOWN_FIELDS = ("approved", "approver", "comments")
_IDENTITY_FIELDS = ("slackUserId", "decidedBy")


class InvalidDecisionBody(ValueError):
    """A decision body that delivers nothing; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} {message}")
        self.field = field
        self.message = message


def parse_decision_body(body: bytes) -> Decision:
    """The Decision a body asks for; InvalidDecisionBody names the offending field."""
    try:
        data = json.loads(body) if body.strip() else None
    except (ValueError, RecursionError) as exc:
        raise InvalidDecisionBody("body", "must be a JSON object") from exc
    if not isinstance(data, dict):
        raise InvalidDecisionBody("body", "must be a JSON object")
    for field in _IDENTITY_FIELDS:
        if field in data:
            raise InvalidDecisionBody(field, "is not accepted: a decision over the HTTP API can't act as a chat user; "
                                             "name yourself in approver")
    unknown = sorted(set(data) - set(KNOWN_FIELDS))
    if unknown:
        raise InvalidDecisionBody(unknown[0], f"is not a known field (known: {', '.join(KNOWN_FIELDS)})")
    if "approved" not in data or not isinstance(data["approved"], bool):
        raise InvalidDecisionBody("approved", "must be true or false")
    return Decision(approved=data["approved"], approver=_approver(data.get("approver")), comments=_comments(data))


def _approver(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidDecisionBody("approver", "is required (a non-empty string)")
    if len(value) > MAX_APPROVER_LENGTH:
        raise InvalidDecisionBody("approver", f"must be at most {MAX_APPROVER_LENGTH} characters")
    return value


def _comments(data: dict[str, Any]) -> str:
    value = data.get("comments")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidDecisionBody("comments", "must be a string")
    if len(value) > MAX_COMMENTS_LENGTH:
        raise InvalidDecisionBody("comments", f"must be at most {MAX_COMMENTS_LENGTH} characters")
    return value
