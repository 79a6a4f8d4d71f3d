"""Every request to /api/teams/messages carries a valid Bot Framework token once an app id is set.

The SDK's validator is served a signing key made here, over loopback, in place of Microsoft's key
set; MSAL (the bot's own outgoing token) is the one part replaced, since it needs Microsoft's
login servers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt import PyJWKClient
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core import AuthenticationConstants, JwtTokenValidator
from microsoft_agents.hosting.core.authorization.jwt import jwt_token_validator

from testkit.teams_harness import APPROVALS, REQUESTER, TeamsHarness, teams_devhost

APP_ID = "6f1c2a40-1111-4222-8333-944455566677"
TENANT_ID = "0b0d1e2f-aaaa-4bbb-8ccc-ddddeeeeffff"
ISSUER = "https://api.botframework.com"
OUTBOUND = "outbound-test-token"
KID = "test-key-1"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY = _key()
OTHER_KEY = _key()


def jwks() -> dict:
    public = jwt.algorithms.RSAAlgorithm.to_jwk(SIGNING_KEY.public_key(), as_dict=True)
    return {"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}


def token(*, audience: str = APP_ID, expires_in: int = 3600, key: rsa.RSAPrivateKey = SIGNING_KEY,
          service_url: str = "") -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": audience, "iat": now - 10, "nbf": now - 10, "exp": now + expires_in,
              "serviceurl": service_url}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


@asynccontextmanager
async def authenticated_teams(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TeamsHarness]:
    async def msal_token(self, resource_url, scopes, force_refresh=False) -> str:
        return OUTBOUND

    monkeypatch.setattr(MsalAuth, "get_access_token", msal_token)
    env = {"TEAMS_ENABLED": "", "TEAMS_APP_ID": APP_ID, "TEAMS_APP_SECRET": "test-secret",
           "TEAMS_TENANT_ID": TENANT_ID}
    async with teams_devhost(env=env, jwks=jwks()) as teams:
        keys = jwt_token_validator._JwkClientManager()
        keys._cache[AuthenticationConstants.PUBLIC_ABS_JWKS_URL] = jwt_token_validator._JwkClientCacheEntry(
            PyJWKClient(teams.fake.jwks_url), threading.Lock())
        monkeypatch.setattr(JwtTokenValidator, "_jwk_client_manager", keys)
        yield teams


@pytest.mark.parametrize("authorization", [
    None,
    "Bearer",
    "Bearer not-a-token",
    "Basic dXNlcjpwYXNz",
    "Bearer " + token(audience="some-other-bot"),
    "Bearer " + token(expires_in=-3600),
    "Bearer " + token(key=OTHER_KEY),
], ids=["missing", "empty", "garbage", "not-bearer", "wrong-audience", "expired", "forged"])
async def test_a_request_without_a_valid_token_is_refused_and_changes_nothing(
        monkeypatch: pytest.MonkeyPatch, authorization: str | None) -> None:
    async with authenticated_teams(monkeypatch) as teams:
        headers = {"Authorization": authorization} if authorization is not None else {}
        conversation = {"id": teams.fake.personal_chat_of(REQUESTER["id"]), "conversationType": "personal"}
        answer = await teams.send(teams.activity("message", REQUESTER, conversation,
                                                 text="expense 120 Team lunch"), headers)
        assert answer.status == 401, answer.text
        assert answer.json()["error"].startswith("unauthorized")
        assert teams.fake.calls == []
        assert await teams.host.client.get_status_all() == []


async def test_a_valid_token_is_let_in_and_the_bot_calls_teams_with_its_own_token(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async with authenticated_teams(monkeypatch) as teams:
        teams.authorization = "Bearer " + token(service_url="")
        started = await teams.start_by_text("expense 120 Team lunch")
        assert started.card.conversation_id == APPROVALS
        assert {call.authorization for call in teams.fake.calls} == {f"Bearer {OUTBOUND}"}
