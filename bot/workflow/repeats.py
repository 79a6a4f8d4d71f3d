"""A request typed again is the same request: one person, the same text, within a minute.

Slack gives up on a slash command after 3 seconds (a cold start can take longer) and shows the
person `operation_timeout`, who then types the command again, although the first one went
through. So a chat request's instance id is derived from who asked, what they typed and the
minute it was typed in: the same request again within a minute finds the first instance instead
of starting a second.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from bot.approvals import ApprovalRequest

REPEAT_WINDOW = timedelta(minutes=1)


def _instance_id(request: ApprovalRequest, window: int) -> str:
    account = request.requester_account
    who = f"{account.platform}:{account.id}" if account else f"api:{request.requester}"
    what = f"{request.request_type}|{request.amount!r}|{' '.join(request.description.split()).casefold()}"
    return hashlib.sha256(f"{who}|{what}|{window}".encode()).hexdigest()[:32]


def candidate_ids(request: ApprovalRequest, now: datetime) -> tuple[str, str]:
    """(this window's id, the previous window's id): a repeat may straddle a window boundary."""
    window = int(now.timestamp() // REPEAT_WINDOW.total_seconds())
    return _instance_id(request, window), _instance_id(request, window - 1)
