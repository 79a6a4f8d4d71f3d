"""Who may call the Teams endpoint, and how the bot authenticates its own calls to Teams.

Inbound: every request carries a Bot Framework JWT, checked by the Agents SDK's validator
against the app id (audience) and Microsoft's signing keys; anything else is refused before the
body is read. Only the anonymous local Playground (no app id) is let in without a token.
Outbound: the SDK's MSAL provider gets tokens with the app's secret or managed identity; the
Playground needs none.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from jwt import PyJWTError
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import (
    AgentAuthConfiguration,
    AuthenticationConstants,
    AuthTypes,
    ClaimsIdentity,
    Connections,
    JwtTokenValidator,
    RestChannelServiceClientFactory,
)

from bot.teams.config import CLIENT_SECRET, SYSTEM_MANAGED_IDENTITY, TeamsSettings

log = logging.getLogger(__name__)

BOT_CONNECTOR = AuthenticationConstants.AGENTS_SDK_SCOPE
BOT_CONNECTOR_SCOPES = [BOT_CONNECTOR + "/.default"]

_AUTH_TYPES = {
    CLIENT_SECRET: AuthTypes.client_secret,
    "user_managed_identity": AuthTypes.user_managed_identity,
    SYSTEM_MANAGED_IDENTITY: AuthTypes.system_managed_identity,
}


class Unauthorized(Exception):
    """The request has no valid Bot Framework token; the message is safe to return."""


@lru_cache(maxsize=8)
def auth_configuration(settings: TeamsSettings) -> AgentAuthConfiguration:
    if settings.anonymous:
        return AgentAuthConfiguration(anonymous_allowed=True)
    return AgentAuthConfiguration(
        auth_type=_AUTH_TYPES[settings.auth_type],
        client_id=settings.app_id,
        tenant_id=settings.tenant_id,
        client_secret=settings.app_secret,
        anonymous_allowed=False,
    )


async def verified_identity(settings: TeamsSettings, authorization: str | None) -> ClaimsIdentity:
    """The caller's claims from its bearer token; Unauthorized when it has none that is valid."""
    if settings.anonymous:
        return ClaimsIdentity()  # the local Playground sends no token
    if not authorization:
        raise Unauthorized("missing Authorization header")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token or " " in token.strip():
        raise Unauthorized("malformed Authorization header")
    try:
        return await JwtTokenValidator(auth_configuration(settings)).validate_token(token.strip())
    except (PyJWTError, ValueError, KeyError) as error:
        log.warning("Teams request refused: %s", type(error).__name__)
        raise Unauthorized("invalid token") from error


@lru_cache(maxsize=8)
def connections(settings: TeamsSettings) -> Connections:
    """MSAL token providers for the app's own calls (cached: MSAL keeps its token cache here)."""
    return MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": auth_configuration(settings)})


async def outbound_token(settings: TeamsSettings) -> str:
    """A token for calling the Bot Connector; empty for the Playground."""
    if settings.anonymous:
        return ""
    provider = connections(settings).get_default_connection()
    return await provider.get_access_token(BOT_CONNECTOR, BOT_CONNECTOR_SCOPES)


class ClientFactory(RestChannelServiceClientFactory):
    """The SDK's connector clients, anonymous for the Playground: the SDK would otherwise ask
    for tenant-bound tokens that a Playground without an app id cannot have."""

    def __init__(self, settings: TeamsSettings) -> None:
        super().__init__(connections(settings))
        self._anonymous = settings.anonymous

    async def create_connector_client(self, context, claims_identity, service_url, audience, scopes=None,
                                      use_anonymous=False):
        return await super().create_connector_client(
            context, claims_identity, service_url, audience, scopes, use_anonymous or self._anonymous)

    async def create_user_token_client(self, context, claims_identity, use_anonymous=False):
        return await super().create_user_token_client(context, claims_identity, use_anonymous or self._anonymous)
