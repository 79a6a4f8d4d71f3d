"""Teams settings from the environment, validated once with one clear error naming the setting.

Teams is configured when ``TEAMS_APP_ID`` (the Azure Bot's Microsoft app / client id) is set:
every request must then carry a valid Bot Framework token and outgoing calls are authenticated
with the app's secret or managed identity. ``TEAMS_ENABLED=true`` without an app id is the local
Microsoft 365 Agents Playground: anonymous both ways, so it is refused unless the service URL is
on this machine. Neither set means Teams is off: its endpoint answers 503 and the activities
skip it.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from bot.config import ConfigError

SETTING_NAMES = (
    "TEAMS_APP_ID",
    "TEAMS_APP_SECRET",
    "TEAMS_AUTH_TYPE",
    "TEAMS_TENANT_ID",
    "TEAMS_ENABLED",
    "TEAMS_SERVICE_URL",
    "TEAMS_APPROVAL_CONVERSATION",
    "TEAMS_ESCALATION_CONVERSATION",
    "TEAMS_APPROVER_IDS",
)

CLIENT_SECRET = "client_secret"
USER_MANAGED_IDENTITY = "user_managed_identity"
SYSTEM_MANAGED_IDENTITY = "system_managed_identity"
AUTH_TYPES = (CLIENT_SECRET, USER_MANAGED_IDENTITY, SYSTEM_MANAGED_IDENTITY)

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9:_@.;=\-]{3,512}$")
_ACCOUNT_ID = re.compile(r"^[A-Za-z0-9:_@.\-]{1,256}$")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class TeamsSettings:
    """Everything the bot needs to talk to Teams. Hashable, so it can key caches."""

    app_id: str | None  # None: the anonymous local Playground
    app_secret: str | None
    auth_type: str
    tenant_id: str | None
    service_url: str
    approval_conversation: str
    escalation_conversation: str
    approver_ids: frozenset[str]

    def __repr__(self) -> str:  # never print the secret
        return (
            f"TeamsSettings(app_id={self.app_id!r}, auth_type={self.auth_type!r}, tenant_id={self.tenant_id!r}, "
            f"service_url={self.service_url!r}, approval_conversation={self.approval_conversation!r}, "
            f"escalation_conversation={self.escalation_conversation!r}, approver_ids={sorted(self.approver_ids)!r})"
        )

    @property
    def anonymous(self) -> bool:
        """No app id: requests carry no token and calls send none (the local Playground)."""
        return self.app_id is None

    def may_approve(self, user_id: str) -> bool:
        """An empty approver list means anyone (the requester check is separate)."""
        return not self.approver_ids or user_id in self.approver_ids


def teams_settings(environ: Mapping[str, str] | None = None) -> TeamsSettings | None:
    """The Teams settings, or None when Teams is not configured; ConfigError names a bad one."""
    env = os.environ if environ is None else environ
    return _parse(tuple(env.get(name) for name in SETTING_NAMES))


@lru_cache(maxsize=32)
def _parse(raw: tuple[str | None, ...]) -> TeamsSettings | None:
    values = {name: (value or "").strip() for name, value in zip(SETTING_NAMES, raw)}
    app_id = values["TEAMS_APP_ID"] or None
    enabled = _switch("TEAMS_ENABLED", values["TEAMS_ENABLED"])
    if app_id is None and not enabled:
        return None
    if app_id is not None and not _GUID.match(app_id):
        raise ConfigError("TEAMS_APP_ID", "must be the bot's Microsoft app (client) id, a GUID")
    auth_type = _auth_type(values["TEAMS_AUTH_TYPE"]) if app_id else CLIENT_SECRET
    secret = values["TEAMS_APP_SECRET"] or None
    if app_id and auth_type == CLIENT_SECRET and secret is None:
        raise ConfigError("TEAMS_APP_SECRET", "is required when TEAMS_APP_ID is set (or set TEAMS_AUTH_TYPE "
                          "to a managed identity)")
    tenant_id = values["TEAMS_TENANT_ID"] or None
    if app_id and tenant_id is None:
        raise ConfigError("TEAMS_TENANT_ID", "is required when TEAMS_APP_ID is set (the Microsoft Entra tenant id)")
    if tenant_id is not None and not _GUID.match(tenant_id):
        raise ConfigError("TEAMS_TENANT_ID", "must be the Microsoft Entra tenant id, a GUID")
    service_url = _service_url(values["TEAMS_SERVICE_URL"], anonymous=app_id is None)
    return TeamsSettings(
        app_id=app_id,
        app_secret=secret,
        auth_type=auth_type,
        tenant_id=tenant_id,
        service_url=service_url,
        approval_conversation=_conversation("TEAMS_APPROVAL_CONVERSATION", values["TEAMS_APPROVAL_CONVERSATION"]),
        escalation_conversation=_conversation("TEAMS_ESCALATION_CONVERSATION",
                                              values["TEAMS_ESCALATION_CONVERSATION"]),
        approver_ids=_approver_ids(values["TEAMS_APPROVER_IDS"]),
    )


def _switch(name: str, value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ConfigError(name, f"must be true or false, got {value!r}")


def _auth_type(value: str) -> str:
    value = value or CLIENT_SECRET
    if value not in AUTH_TYPES:
        raise ConfigError("TEAMS_AUTH_TYPE", f"must be one of {', '.join(AUTH_TYPES)}, got {value!r}")
    return value


def _service_url(value: str, *, anonymous: bool) -> str:
    if not value:
        raise ConfigError("TEAMS_SERVICE_URL", "is required when Teams is configured "
                          "(https://smba.trafficmanager.net/teams/ for Teams)")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("TEAMS_SERVICE_URL", f"must be an http(s) URL, got {value!r}")
    if anonymous and not _loopback(parts.hostname):
        raise ConfigError("TEAMS_SERVICE_URL", "must be on this machine (localhost) when TEAMS_ENABLED is set "
                          "without TEAMS_APP_ID: anonymous calls are for the local Playground only")
    if not anonymous and parts.scheme != "https" and not _loopback(parts.hostname):
        raise ConfigError("TEAMS_SERVICE_URL", "must be https when TEAMS_APP_ID is set")
    return value if value.endswith("/") else value + "/"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _conversation(name: str, value: str) -> str:
    if not value:
        raise ConfigError(name, "is required when Teams is configured (a conversation id like 19:…@thread.tacv2)")
    if not _CONVERSATION_ID.match(value):
        raise ConfigError(name, f"must be a Teams conversation id like 19:…@thread.tacv2, got {value[:60]!r}")
    return value


def _approver_ids(value: str) -> frozenset[str]:
    ids = [part.strip() for part in value.split(",") if part.strip()]
    bad = [user_id for user_id in ids if not _ACCOUNT_ID.match(user_id)]
    if bad:
        raise ConfigError("TEAMS_APPROVER_IDS", f"must be a comma list of Teams user ids like 29:1abc…, got {bad[0]!r}")
    return frozenset(ids)
