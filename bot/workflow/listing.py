"""Many approvals at once: the durable instances behind "my approvals" and the audit export.

The query goes to the durable management API's `GET instances` with `runtimeStatus`,
`createdTimeFrom`/`createdTimeTo`, `instanceIdPrefix`, `showInput` and `top`, following the
`x-ms-continuation-token` response header page by page. The SDK's `get_status_by` / `get_status_all` (1.7.0) send no `top`
and drop the response headers, so on Azure they return only the extension's first page; this
module speaks the same API at the same address the SDK uses (the client binding's
`rpcBaseUrl`, read from the pinned SDK's `_orchestration_bindings`: no public accessor exists),
so it works unchanged on Azure and on devhost. Every instance is read with the one
status reader (`bot.workflow.state.classify`), so a list shows exactly what a click would find.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bot.shared_session import shared_session
from bot.workflow.backend import BackendUnavailable
from bot.workflow.names import ORCHESTRATOR
from bot.workflow.state import ApprovalState, Stage, classify

log = logging.getLogger(__name__)

CONTINUATION_HEADER = "x-ms-continuation-token"
DEFAULT_PAGE_SIZE = 500
# Pages read one after another: small enough that reading one never holds the event loop for
# long (a click's ack may be waiting on the same loop), large enough to need few requests.
EVERY_PAGE_SIZE = 100
LIST_TIMEOUT_SECONDS = 30
# Runtime statuses under which a request can still be waiting for a decision.
OPEN_RUNTIME_STATUSES = ("Pending", "Running")


class BadContinuation(ValueError):
    """The backend refused a continuation token (the caller's, not the backend's, fault)."""


@dataclass(frozen=True)
class InstanceFilter:
    """Which instances to ask the backend for; empty fields do not filter."""

    runtime_statuses: tuple[str, ...] = ()
    created_from: datetime | None = None
    created_to: datetime | None = None
    id_prefix: str | None = None  # see bot.workflow.instance_ids


@dataclass(frozen=True)
class Page:
    """One page of approvals and where the next page starts (None: this was the last)."""

    states: list[ApprovalState]
    continuation: str | None


class Listing:
    """Approval instances over one durable client (the function's `durable_client_input`)."""

    def __init__(self, durable_client: Any) -> None:
        bindings = getattr(durable_client, "_orchestration_bindings", None)
        base = getattr(bindings, "rpc_base_url", None)
        self._instances_url = base.rstrip("/") + "/instances/" if isinstance(base, str) and base else None

    async def page(self, where: InstanceFilter, *, size: int = DEFAULT_PAGE_SIZE,
                   continuation: str | None = None) -> Page:
        """At most `size` instances (oldest first), the approvals among them, and the next token."""
        if self._instances_url is None:
            raise BackendUnavailable("the durable client carries no management API address")
        params = {"top": str(size), "showInput": "true"}
        if where.runtime_statuses:
            params["runtimeStatus"] = ",".join(where.runtime_statuses)
        if where.created_from is not None:
            params["createdTimeFrom"] = _wire_time(where.created_from)
        if where.created_to is not None:
            params["createdTimeTo"] = _wire_time(where.created_to)
        if where.id_prefix:
            params["instanceIdPrefix"] = where.id_prefix
        headers = {CONTINUATION_HEADER: continuation} if continuation else {}
        try:
            http = await shared_session(LIST_TIMEOUT_SECONDS)
            async with http.get(self._instances_url, params=params, headers=headers) as response:
                status = response.status
                rows = await response.json(content_type=None) if status == 200 else None
                following = response.headers.get(CONTINUATION_HEADER) or None
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            log.warning("instance query failed: %s", error)
            raise BackendUnavailable(str(error)) from error
        if status == 400 and continuation:
            raise BadContinuation("the continuation token was not accepted")
        if status != 200 or not isinstance(rows, list):
            raise BackendUnavailable(f"instance query answered {status}")
        if following in ("null", continuation):
            following = None
        return Page([state for row in rows if (state := _approval(row)) is not None], following)

    async def every(self, where: InstanceFilter, *, size: int = EVERY_PAGE_SIZE) -> AsyncIterator[ApprovalState]:
        """Every approval that matches, page after page."""
        continuation: str | None = None
        while True:
            page = await self.page(where, size=size, continuation=continuation)
            for state in page.states:
                yield state
            if page.continuation is None:
                return
            continuation = page.continuation


@dataclass(frozen=True)
class ListedStatus:
    """An instance from a listing, with the fields (and names) of the SDK's DurableOrchestrationStatus
    that the status reader uses. Built directly because the SDK's class parses both times with
    dateutil, three quarters of the cost of reading a thousand instances."""

    name: str | None
    instance_id: str | None
    runtime_status: str | None
    input_: Any
    custom_status: Any
    output: Any
    created_time: datetime | None
    last_updated_time: datetime | None

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> ListedStatus:
        return cls(row.get("name"), row.get("instanceId"), row.get("runtimeStatus"), row.get("input"),
                   row.get("customStatus"), row.get("output"), _time(row.get("createdTime")),
                   _time(row.get("lastUpdatedTime")))


def _approval(row: Any) -> ApprovalState | None:
    """An instance of the approval orchestrator, read as any front end reads one; None otherwise."""
    if not isinstance(row, dict) or str(row.get("name") or "").lower() != ORCHESTRATOR.lower():
        return None
    try:
        state = classify(ListedStatus.from_json(row))
    except (TypeError, ValueError) as error:  # a field the reader cannot take
        log.warning("unreadable instance %s in a listing: %s", row.get("instanceId"), error)
        return None
    return None if state.stage is Stage.UNKNOWN else state


def _time(text: Any) -> datetime | None:
    """The API's times ("2026-11-30T10:00:00Z"), in UTC."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _wire_time(moment: datetime) -> str:
    """As the SDK writes query times (UTC, microseconds, Z)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

