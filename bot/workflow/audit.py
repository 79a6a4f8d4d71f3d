"""One decided request as the audit export shows it: a flat record read from the recorded outcome.

Read from the outcome the workflow recorded (the output, or the custom status while the outcome
is being announced), never from chat messages. Outcomes this code does not know yet (a new status,
extra fields, several approval stages) still export: unknown statuses as they are written, extra
fields ignored, every stage's approver listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.approvals import approval_id_for, timestamp_or_none, utc_timestamp
from bot.workflow.state import ApprovalState

FIELDS = (
    "approvalId", "instanceId", "requestType", "requester", "amount", "description", "outcome",
    "approvers", "comments", "createdAt", "decidedAt", "policyTier",
)
# Where an outcome records when it was reached, by kind of outcome.
_OUTCOME_TIME_KEYS = ("decidedAt", "escalatedAt", "cancelledAt", "canceledAt", "endedAt")


def outcome_status(state: ApprovalState) -> str | None:
    """The recorded outcome ("Approved", "Denied", "Escalated", …); None while there is none."""
    status = (state.outcome or {}).get("status")
    return status if isinstance(status, str) and status else None


def decided_at(state: ApprovalState) -> datetime | None:
    """When the outcome was reached, as the workflow recorded it."""
    outcome = state.outcome or {}
    for key in _OUTCOME_TIME_KEYS:
        moment = timestamp_or_none(outcome.get(key))
        if moment is not None:
            return moment
    approval = outcome.get("approval")
    if isinstance(approval, Mapping) and (moment := timestamp_or_none(approval.get("timestamp"))) is not None:
        return moment
    return state.last_updated_time if outcome_status(state) else None


def audit_record(state: ApprovalState) -> dict[str, Any] | None:
    """The export's row for a decided request; None for one without an outcome."""
    status = outcome_status(state)
    if status is None:
        return None
    outcome = state.outcome or {}
    request = state.request
    decisions = _decisions(outcome)
    moment = decided_at(state)
    amount = request.amount if request is not None else outcome.get("amount")
    return {
        "approvalId": approval_id_for(state.instance_id),
        "instanceId": state.instance_id,
        "requestType": request.display_type if request is not None else _text(outcome.get("requestType")),
        "requester": request.requester if request is not None else _text(outcome.get("requester")),
        "amount": amount if isinstance(amount, int | float) and not isinstance(amount, bool) else None,
        "description": request.description if request is not None else _text(outcome.get("description")),
        "outcome": status,
        "approvers": [_text(d.get("approver")) for d in decisions if _text(d.get("approver"))],
        "comments": [_text(d.get("comments")) for d in decisions if _text(d.get("comments"))] + _cancel_reason(outcome),
        "createdAt": utc_timestamp(state.created_time) if state.created_time else None,
        "decidedAt": utc_timestamp(moment) if moment else None,
        "policyTier": _tier(outcome),
    }


def _decisions(outcome: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every approval record in the outcome: the final one and, when present, each stage's."""
    records: list[Mapping[str, Any]] = []
    stages = outcome.get("stages")
    if isinstance(stages, list):
        for stage in stages:
            if isinstance(stage, Mapping):
                inner = stage.get("approval")
                records.append(inner if isinstance(inner, Mapping) else stage)
    final = outcome.get("approval")
    if isinstance(final, Mapping) and not any(_same_decision(final, r) for r in records):
        records.append(final)
    return records


def _cancel_reason(outcome: Mapping[str, Any]) -> list[str]:
    """A cancellation's reason, when the requester gave one."""
    cancellation = outcome.get("cancellation")
    reason = cancellation.get("reason") if isinstance(cancellation, Mapping) else None
    return [reason] if isinstance(reason, str) and reason else []


def _same_decision(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(a.get(key) == b.get(key) for key in ("approver", "approved", "timestamp"))


def _tier(outcome: Mapping[str, Any]) -> str:
    """The policy tier the request was decided under (`policy.tier`); empty without a policy."""
    policy = outcome.get("policy")
    value = policy.get("tier") if isinstance(policy, Mapping) else outcome.get("policyTier")
    if isinstance(value, Mapping):
        value = value.get("name")
    return "" if value is None or isinstance(value, bool) else str(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
