"""Looking up approval instances through the durable client, and how they are shown over HTTP."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from azure.durable_functions import DurableOrchestrationClient
from azure.durable_functions.models.DurableOrchestrationStatus import DurableOrchestrationStatus

from bot.approvals import ORCHESTRATOR_NAME, approval_id_for, utc_timestamp

log = logging.getLogger(__name__)

ACTIVE_STATUSES = frozenset({"Pending", "Running", "ContinuedAsNew", "Suspended"})


class BackendUnavailable(RuntimeError):
    """The durable backend did not answer as expected (not the caller's fault)."""


async def find_approval(client: DurableOrchestrationClient, instance_id: str) -> DurableOrchestrationStatus | None:
    """The status of an approval instance, or None when there is no such approval."""
    try:
        status = await client.get_status(instance_id)
    except Exception as exc:  # the SDK raises bare Exceptions for unexpected answers
        log.warning("status lookup for %s failed: %s", instance_id, exc)
        raise BackendUnavailable(str(exc)) from exc
    if not status or (status.name or "").lower() != ORCHESTRATOR_NAME.lower():
        return None
    return status


def runtime_status(status: DurableOrchestrationStatus) -> str:
    """`Running`, `Completed`... as a plain string."""
    value = status.runtime_status
    return getattr(value, "value", None) or str(value)


def _time(moment: datetime | None) -> str | None:
    return utc_timestamp(moment) if moment is not None else None


def status_body(status: DurableOrchestrationStatus) -> dict[str, Any]:
    """What `GET /api/status/{instanceId}` shows."""
    instance_id = status.instance_id or ""
    return {
        "instanceId": instance_id,
        "approvalId": approval_id_for(instance_id),
        "name": status.name,
        "runtimeStatus": runtime_status(status),
        "customStatus": status.custom_status,
        "output": status.output,
        "createdTime": _time(status.created_time),
        "lastUpdatedTime": _time(status.last_updated_time),
    }


def decided_outcome(status: DurableOrchestrationStatus) -> dict[str, Any] | None:
    """The outcome once it is fixed: the output when done, else the one recorded in custom status."""
    if runtime_status(status) == "Completed" and isinstance(status.output, dict):
        return status.output
    custom = status.custom_status
    if isinstance(custom, dict) and isinstance(custom.get("outcome"), dict):
        return custom["outcome"]
    return None
