"""The body of `POST /api/cancel/{approvalId}`: the requester withdrawing a request over HTTP.

An HTTP caller can claim no chat identity. It names the requester as the request named them
(`requester`); the function key is what authorizes the call, the name is checked against the
request and recorded, with `"via": "api"`. A request made in a chat can be cancelled only there,
by its requester's own account.
"""

from __future__ import annotations

from bot.approvals import MAX_APPROVER_LENGTH, MAX_REASON_LENGTH, Cancellation
from bot.http_api.word_body import json_object, text

KNOWN_FIELDS = ("requester", "reason")
_IDENTITY_FIELDS = ("cancelledBy", "slackUserId", "decidedBy")


def parse_cancel_body(body: bytes) -> Cancellation:
    """The Cancellation a body asks for; InvalidDecisionBody names the offending field."""
    data = json_object(body, known=KNOWN_FIELDS, identity_fields=_IDENTITY_FIELDS,
                       name_hint="name the requester in requester")
    return Cancellation(
        by=text(data, "requester", max_length=MAX_APPROVER_LENGTH, required="the requester's name, as the request gave it"),
        reason=text(data, "reason", max_length=MAX_REASON_LENGTH))
