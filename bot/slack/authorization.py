"""Who the app acts as on each request, from settings alone.

Bolt's default for a single workspace checks the token with ``auth.test`` on the first request a
process serves; if Slack answers that one call with a 429 or a 5xx, Bolt tells the person in Slack
that the app must be reinstalled. The token is already in the settings, so the ack path needs no
Slack call to know it. A revoked token still shows: the activities' Web API calls fail with
``invalid_auth`` and the workflow records it.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize

from bot.config import SlackSettings


class SettingsAuthorize(AsyncAuthorize):
    """Every request is authorized with the configured bot token, without calling Slack."""

    def __init__(self, settings: SlackSettings) -> None:
        self._bot_token = settings.bot_token

    async def __call__(
        self,
        *,
        context: Any,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_: Any,
    ) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                               bot_token=self._bot_token)
