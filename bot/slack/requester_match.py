"""Could this Slack user be the requester of a request whose requester has no Slack account?
And which of those requests are theirs?

A request from the HTTP API names its requester with text. When posting, the Slack notifier
looks that text up as an email; when no Slack account is found, a click is checked against the
clicker's own profile instead, and anyone whose handle, display name, real name, email or email
name equals the requester text may not decide. A profile that cannot be read counts as a match:
self-approval must be impossible, so doubt refuses.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.web_client import SLACK_CALL_ERRORS

log = logging.getLogger(__name__)


def _names(user: dict[str, Any]) -> set[str]:
    profile = user.get("profile")
    if not isinstance(profile, dict):
        profile = {}
    email = str(profile.get("email") or "")
    candidates = {user.get("id"), user.get("name"), user.get("real_name"), profile.get("display_name"),
                  profile.get("real_name"), email, email.split("@")[0] if "@" in email else None}
    return {str(name).strip().casefold() for name in candidates if isinstance(name, str) and name.strip()}


async def might_be_requester(client: AsyncWebClient, user_id: str, requester: str) -> bool:
    """True when the user's profile names the requester, or cannot be read."""
    wanted = requester.strip().casefold()
    candidates = {wanted, wanted.split("@")[0]} if "@" in wanted else {wanted}
    user = await user_info(client, user_id)
    return user is None or bool(candidates & _names(user))


async def email_of(client: AsyncWebClient, user_id: str) -> str | None:
    """The email on the user's profile: requests made over the HTTP API in that name are theirs
    too (the notifier ties them to the account by it). None when it can't be read."""
    user = await user_info(client, user_id)
    profile = user.get("profile") if user is not None else None
    email = profile.get("email") if isinstance(profile, dict) else None
    return email if isinstance(email, str) and email.strip() else None


async def user_info(client: AsyncWebClient, user_id: str) -> dict[str, Any] | None:
    """The user's users.info record; None when Slack can't say."""
    try:
        response = await client.users_info(user=user_id)
    except SLACK_CALL_ERRORS as error:
        log.warning("users.info for %s failed: %s", user_id, error)
        return None
    user = response.get("user")
    return user if isinstance(user, dict) else None
