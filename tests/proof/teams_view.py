"""What a Teams card tells its reader, read from the card JSON the recording fake connector (or an
invoke answer) holds, and which approval each post in a conversation belongs to."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from testkit.teams_connector import FakeConnector, Posted
from testkit.teams_harness import card_text, verbs

OPEN, APPROVED, DENIED, EXPIRED = "Open", "Approved", "Denied", "Expired"
_DECIDED = re.compile(r"^(Approved|Denied) by (.+)$", re.MULTILINE)
_APPROVAL_ID = re.compile(r"approval-[0-9a-f]{32}")


def shown_outcome(card: dict[str, Any] | None) -> tuple[str, str | None]:
    """(outcome, who decided) as the card shows it; an open card still has its buttons."""
    if verbs(card):
        return OPEN, None
    decided = _DECIDED.search(card_text(card))
    if decided:
        return decided.group(1), decided.group(2)
    if re.search(r"^Expired: ", card_text(card), re.MULTILINE):
        return EXPIRED, None
    return "Unknown", None


def approval_of(post: Posted) -> str | None:
    """The approval a post is about (every card the bot posts names it), as first posted."""
    for attachment in post.activity.get("attachments") or []:
        found = _APPROVAL_ID.search(card_text(attachment.get("content")))
        if found:
            return found.group(0)
    return None


def posts_by_approval(fake: FakeConnector, conversation: str, verb: str = "send") -> dict[str, list[Posted]]:
    """approval id -> the bot's posts about it in the conversation, oldest first (replies within a
    turn, such as the requester's confirmation, are `reply`, not `send`)."""
    found: dict[str, list[Posted]] = defaultdict(list)
    for post in fake.in_conversation(conversation):
        approval = approval_of(post)
        if post.verb == verb and approval is not None:
            found[approval].append(post)
    return found
