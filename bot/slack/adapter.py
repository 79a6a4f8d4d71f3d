"""Our small adapter between an HTTP request (as Azure Functions gives it) and Bolt.

Kept free of ``azure.functions`` so it can be tested on plain values; the blueprint does the
``func.HttpRequest``/``func.HttpResponse`` conversion around it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class PlainResponse:
    """What the blueprint turns into an HTTP response."""

    status: int
    body: str
    headers: dict[str, str]


def to_bolt_request(
    body: bytes,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    context: Mapping[str, Any],
) -> AsyncBoltRequest:
    """Build Bolt's request from raw parts.

    - ``x-slack-bolt-*`` headers are dropped: Bolt trusts them (they make a request "lazy only")
      and Slack's signature does not cover headers.
    - A form body whose *text* merely contains the word "payload" is re-parsed as a plain form
      (Bolt checks for the substring, not the key, and would otherwise see an empty body).
    """
    clean_headers: dict[str, str | Sequence[str]] = {
        name.lower(): value for name, value in headers.items() if not name.lower().startswith("x-slack-bolt-")
    }
    raw = body.decode("utf-8", errors="replace")
    request = AsyncBoltRequest(body=raw, query=dict(query), headers=clean_headers, context=dict(context))
    if not request.body and request.content_type == FORM_CONTENT_TYPE and "payload" in raw:
        form = dict(parse_qsl(raw, keep_blank_values=True))
        if "payload" not in form:
            request.body = form
            request.context = build_async_context(AsyncBoltContext(dict(context)), form)
    return request


def from_bolt_response(response: BoltResponse) -> PlainResponse:
    """Bolt's response as status, text body and flat headers (content-type kept as Bolt set it)."""
    return PlainResponse(status=response.status, body=response.body or "", headers=dict(response.first_headers()))


def json_response(status: int, message: str) -> PlainResponse:
    """A short JSON error, never a traceback."""
    return PlainResponse(
        status=status,
        body=json.dumps({"error": message}),
        headers={"content-type": "application/json;charset=utf-8"},
    )
