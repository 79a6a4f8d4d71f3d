"""Recognising every copy of a post the workflow makes: requests, escalations, notices.

Activities run at least once: if the process dies after Slack posted a message but before the
workflow stored that it did, the activity runs again. So each post carries Slack message
metadata naming its kind and its approval, and the conversation's recent history (only the part
since the post could first have been made) is searched for it before posting: a copy that is
already there is kept instead of posting a second one. For requests the same search also finds
every copy when the outcome is shown, so that no copy keeps live buttons.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.models.metadata import Metadata

REQUEST_EVENT = "expense_approval_request"
ESCALATION_EVENT = "expense_approval_escalation"
NOTICE_EVENT = "expense_approval_notice"
# Under a policy: notes in the request's thread, one per stage opened and per reminder; the
# payload's `key` tells them apart ("stage-1", "stage-1-reminder-2").
STAGE_EVENT = "expense_approval_stage"
REMINDER_EVENT = "expense_approval_reminder"

# Slack's clock and the workflow's may differ a little; look this much further back.
CLOCK_SKEW = timedelta(seconds=1)
# A posting run that starts this soon after its request is its first run.
HISTORY_PAGE_SIZE = 100
HISTORY_MAX_PAGES = 2


def request_metadata(approval_id: str, event_type: str = REQUEST_EVENT, key: str | None = None) -> Metadata:
    """The metadata attached to a post (kept by Slack through chat.update)."""
    payload = {"approval_id": approval_id, **({"key": key} if key is not None else {})}
    return Metadata(event_type=event_type, event_payload=payload)


def is_copy_of(message: Mapping[str, Any], approval_id: str, event_type: str = REQUEST_EVENT,
               key: str | None = None) -> bool:
    """Is this conversations.history (or .replies) message a post of this kind for this approval?"""
    metadata = message.get("metadata")
    if not isinstance(metadata, Mapping) or metadata.get("event_type") != event_type:
        return False
    payload = metadata.get("event_payload")
    return (isinstance(payload, Mapping) and payload.get("approval_id") == approval_id
            and (key is None or payload.get("key") == key))


def history_oldest(started: datetime, now: datetime | None = None) -> str:
    """conversations.history's ``oldest`` for a request started at ``started``: a copy cannot be
    older than its request, nor newer than now (a workflow clock ahead of Slack's is capped)."""
    now = now or datetime.now(UTC)
    return f"{(min(started, now) - CLOCK_SKEW).timestamp():.6f}"


def started_at(moment: datetime, timeout_seconds: int) -> datetime:
    """When the request started, from its deadline (or from any moment before the deadline)."""
    return moment - timedelta(seconds=timeout_seconds)
