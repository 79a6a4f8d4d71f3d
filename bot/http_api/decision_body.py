"""The body of `POST /api/approve/{approvalId}`: a decision made over the HTTP API.

An HTTP caller names themselves with free text (`approver`) and can claim no chat identity: the
decision is recorded as made through the API, and chat messages show the name as plain text.
"""

from __future__ import annotations

from bot.approvals import MAX_APPROVER_LENGTH, MAX_COMMENTS_LENGTH, Decision
from bot.http_api.word_body import InvalidDecisionBody, json_object, text

KNOWN_FIELDS = ("approved", "approver", "comments")
_IDENTITY_FIELDS = ("slackUserId", "decidedBy")


def parse_decision_body(body: bytes) -> Decision:
    """The Decision a body asks for; InvalidDecisionBody names the offending field."""
    data = json_object(body, known=KNOWN_FIELDS, identity_fields=_IDENTITY_FIELDS, name_hint="name yourself in approver")
    if "approved" not in data or not isinstance(data["approved"], bool):
        raise InvalidDecisionBody("approved", "must be true or false")
    return Decision(approved=data["approved"],
                    approver=text(data, "approver", max_length=MAX_APPROVER_LENGTH, required="a non-empty string"),
                    comments=text(data, "comments", max_length=MAX_COMMENTS_LENGTH))
