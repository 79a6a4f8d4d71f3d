"""Slack settings from the environment, validated once with one clear error.

When ``SLACK_BOT_TOKEN`` is unset Slack is *not configured*: the HTTP API works alone, the
activities skip Slack and the Slack endpoints answer 503. When it is set, every other Slack
setting is checked here so a typo fails at the first use with the setting's name, not with a
traceback deep inside a click handler.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

SETTING_NAMES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "APPROVAL_CHANNEL",
    "ESCALATION_CHANNEL",
    "APPROVER_USER_IDS",
)

_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class ConfigError(ValueError):
    """A Slack setting is missing or malformed; ``setting`` names it."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting} {problem}")
        self.setting = setting
        self.problem = problem


@dataclass(frozen=True)
class SlackSettings:
    """Everything the bot needs to talk to Slack. Hashable, so it can key caches."""

    bot_token: str
    signing_secret: str
    api_url: str | None
    approval_channel: str
    escalation_channel: str
    approver_user_ids: frozenset[str]

    def __repr__(self) -> str:  # never print the secrets
        return (
            f"SlackSettings(api_url={self.api_url!r}, approval_channel={self.approval_channel!r}, "
            f"escalation_channel={self.escalation_channel!r}, "
            f"approver_user_ids={sorted(self.approver_user_ids)!r})"
        )

    def may_approve(self, user_id: str) -> bool:
        """An empty approver list means anyone (the requester check is separate)."""
        return not self.approver_user_ids or user_id in self.approver_user_ids


def slack_settings(environ: Mapping[str, str] | None = None) -> SlackSettings | None:
    """The Slack settings, or None when Slack is not configured.

    Raises ConfigError naming the first bad setting. Results are cached by the raw values, so
    the environment is validated once per distinct configuration.
    """
    env = os.environ if environ is None else environ
    raw = tuple(env.get(name) for name in SETTING_NAMES)
    return _parse(raw)


@lru_cache(maxsize=32)
def _parse(raw: tuple[str | None, ...]) -> SlackSettings | None:
    values = dict(zip(SETTING_NAMES, raw))
    token = values["SLACK_BOT_TOKEN"]
    if token is None or token.strip() == "":
        return None
    return SlackSettings(
        bot_token=_secret("SLACK_BOT_TOKEN", token),
        signing_secret=_secret("SLACK_SIGNING_SECRET", values["SLACK_SIGNING_SECRET"]),
        api_url=_api_url(values["SLACK_API_URL"]),
        approval_channel=_channel("APPROVAL_CHANNEL", values["APPROVAL_CHANNEL"]),
        escalation_channel=_channel("ESCALATION_CHANNEL", values["ESCALATION_CHANNEL"]),
        approver_user_ids=_user_ids("APPROVER_USER_IDS", values["APPROVER_USER_IDS"]),
    )


def _secret(name: str, value: str | None) -> str:
    if value is None or value.strip() == "":
        raise ConfigError(name, "is required when SLACK_BOT_TOKEN is set")
    if any(ch.isspace() for ch in value):
        raise ConfigError(name, "must not contain spaces or line breaks")
    return value


def _api_url(value: str | None) -> str | None:
    if value is None or value.strip() == "":
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError("SLACK_API_URL", f"must be an http(s) URL, got {value!r}")
    if not value.endswith("/"):
        raise ConfigError("SLACK_API_URL", f"must end with '/' (e.g. {value + '/'!r})")
    return value


def _channel(name: str, value: str | None) -> str:
    if value is None or value.strip() == "":
        raise ConfigError(name, "is required when SLACK_BOT_TOKEN is set (a channel ID like C0123456789)")
    value = value.strip()
    if not _CHANNEL_ID.match(value):
        raise ConfigError(name, f"must be a Slack channel ID like C0123456789, got {value!r}")
    return value


def _user_ids(name: str, value: str | None) -> frozenset[str]:
    if value is None or value.strip() == "":
        return frozenset()
    ids = [part.strip() for part in value.split(",") if part.strip()]
    bad = [user_id for user_id in ids if not _USER_ID.match(user_id)]
    if bad:
        raise ConfigError(name, f"must be a comma list of Slack user IDs like U0123456789, got {bad[0]!r}")
    return frozenset(ids)
