"""A request typed again is the same request: one person, the same text, within a minute.

Slack gives up on a slash command after 3 seconds (a cold start can take longer) and shows the
person `operation_timeout`, who then types the command again, although the first one went
through. So a chat request's instance id is derived from who asked, what they typed and the
minute it was typed in: its requester's prefix (bot.workflow.instance_ids), then the text's, then
the minute. The same request again within a minute is found by listing the instances with the
first two, created in the last minute, instead of starting a second one.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from bot.approvals import ApprovalRequest
from bot.workflow.instance_ids import ID_LENGTH, requester_prefix

REPEAT_WINDOW = timedelta(minutes=1)
MINUTE_DIGITS = 8  # hexadecimal minutes since 1970: enough until the year 10,000


def repeat_prefix(request: ApprovalRequest) -> str:
    """The id prefix shared by this request and every repeat of it, whenever typed."""
    what = f"{request.request_type}|{request.amount!r}|{' '.join(request.description.split()).casefold()}"
    prefix = requester_prefix(request)
    text_length = ID_LENGTH - MINUTE_DIGITS - len(prefix)
    return prefix + hashlib.sha256(what.encode()).hexdigest()[:text_length]


def repeatable_id(request: ApprovalRequest, now: datetime) -> str:
    """This request's id when made at ``now``: a repeat in the same minute gets the same id, so
    two repeats racing each other cannot both start."""
    minute = int(now.timestamp() // REPEAT_WINDOW.total_seconds())
    return f"{repeat_prefix(request)}{minute:0{MINUTE_DIGITS}x}"
