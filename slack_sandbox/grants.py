"""Short-lived capabilities Slack hands the app: trigger_ids and response_urls.

trigger_id: valid 3 seconds, exchangeable once (views.open / views.push).
response_url: up to 5 posts within 30 minutes of the interaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from .clock import Clock
from .workspace import Message

TRIGGER_TTL_SECONDS = 3.0
RESPONSE_URL_TTL_SECONDS = 30 * 60
RESPONSE_URL_MAX_USES = 5


class GrantError(Exception):
    """Carries Slack's error code, e.g. expired_trigger_id."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Trigger:
    id: str
    user_id: str
    issued_at: float
    used: bool = False


@dataclass
class ResponseUrl:
    token: str
    kind: str  # "commands" or "actions"
    user_id: str
    channel_id: str
    issued_at: float
    original: Message | None = None  # the message replace_original / delete_original act on
    uses: int = 0
    posted: list[Message] = field(default_factory=list)


class Grants:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}

    def issue_trigger(self, user_id: str) -> str:
        now = self.clock.now()
        trigger_id = f"{int(now)}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"
        self.triggers[trigger_id] = Trigger(trigger_id, user_id, now)
        return trigger_id

    def exchange_trigger(self, trigger_id: str) -> Trigger:
        trigger = self.triggers.get(trigger_id)
        if trigger is None:
            raise GrantError("invalid_trigger_id")
        if trigger.used:
            raise GrantError("exchanged_trigger_id")
        if self.clock.now() - trigger.issued_at > TRIGGER_TTL_SECONDS:
            raise GrantError("expired_trigger_id")
        trigger.used = True
        return trigger

    def issue_response_url(self, kind: str, user_id: str, channel_id: str,
                           original: Message | None = None) -> ResponseUrl:
        grant = ResponseUrl(secrets.token_urlsafe(18), kind, user_id, channel_id, self.clock.now(), original)
        self.response_urls[grant.token] = grant
        return grant

    def use_response_url(self, token: str) -> ResponseUrl:
        grant = self.response_urls.get(token)
        if grant is None:
            raise GrantError("invalid_token")
        if self.clock.now() - grant.issued_at > RESPONSE_URL_TTL_SECONDS:
            raise GrantError("expired_url")
        if grant.uses >= RESPONSE_URL_MAX_USES:
            raise GrantError("used_url")
        grant.uses += 1
        return grant
