"""Where a request card landed in Teams: the reference the workflow keeps for later updates.

It lives in the orchestration's durable state (returned by `post_request`), never in process
memory, so any Functions instance can update the card after a decision or an escalation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

DEEP_LINK_BASE = "https://teams.microsoft.com/l/message/"


@dataclass(frozen=True)
class PostedCard:
    conversation_id: str
    activity_id: str
    link: str | None = None

    def to_output(self) -> dict[str, Any]:
        return {"conversationId": self.conversation_id, "activityId": self.activity_id, "link": self.link}

    @classmethod
    def from_output(cls, data: Any) -> PostedCard | None:
        if not isinstance(data, Mapping):
            return None
        conversation, activity = data.get("conversationId"), data.get("activityId")
        if not isinstance(conversation, str) or not isinstance(activity, str) or not conversation or not activity:
            return None
        link = data.get("link")
        return cls(conversation, activity, link if isinstance(link, str) else None)


def message_link(conversation_id: str, activity_id: str, tenant_id: str | None) -> str:
    """A Teams deep link that opens the posted card."""
    channel = conversation_id.split(";", 1)[0]
    query = {"parentMessageId": activity_id}
    if tenant_id:
        query["tenantId"] = tenant_id
    return f"{DEEP_LINK_BASE}{quote(channel, safe='')}/{quote(activity_id, safe='')}?{urlencode(query)}"
