"""Starting an approval and raising a decision on it, from Slack's side of the durable client."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.approvals import DECISION_EVENT, ORCHESTRATOR_NAME, ApprovalRequest, Decision, approval_id_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StartedApproval:
    approval_id: str
    instance_id: str
    deadline: datetime  # as seen from here; the orchestration's own clock is authoritative


async def start_approval(durable_client: Any, request: ApprovalRequest) -> StartedApproval:
    """Start `approval_workflow` now; the first activity posts the request to the approvers."""
    instance_id = await durable_client.start_new(ORCHESTRATOR_NAME, None, request.to_input())
    deadline = datetime.now(timezone.utc) + timedelta(seconds=request.timeout_seconds)
    log.info("started approval %s from Slack", instance_id)
    return StartedApproval(approval_id_for(instance_id), instance_id, deadline)


async def raise_decision(durable_client: Any, instance_id: str, decision: Decision) -> bool:
    """Raise `approval_response`; False when the instance is gone or unknown (raced to an end)."""
    try:
        await durable_client.raise_event(instance_id, DECISION_EVENT, decision.to_payload())
    except Exception as error:  # the SDK raises bare Exceptions for 404/410
        log.info("decision for %s not delivered: %s", instance_id, error)
        return False
    return True
