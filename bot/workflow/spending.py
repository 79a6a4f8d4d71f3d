"""Month-to-date spend: the Approved amounts of one requester in one calendar month (UTC).

One durable entity per requester and month, keyed `<requester>:<YYYY-MM>`, holds the amounts it
counted by approval id. Adding is idempotent by approval id, so an `add` delivered twice (a
re-sent signal, a replay after a crash) never counts an approval twice; the total is recomputed
from the counted amounts, so it does not depend on the order they arrived in.

The requester is the chat account (`platform:id`) when the request came from a chat, else the
typed name as `name:<name>`, casefolded with its whitespace collapsed: "Ann  Lee" and "ann lee"
are one person. The durable client puts the key into a URL path unescaped, so every character but
letters, digits, `-`, `.`, `:` and `@` is written as `_<hex code>_` ("Ann Lee" is `name:ann_20_lee`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.approvals import ApprovalRequest

_KEPT = re.compile(r"[A-Za-z0-9.:@-]")

ADD = "add"
GET = "get"


def requester_key(request: ApprovalRequest) -> str:
    """Whose month an approval counts towards."""
    account = request.requester_account
    if account is not None:
        return f"{account.platform}:{_safe(account.id)}"
    return "name:" + _safe(" ".join(request.requester.casefold().split()))


def _safe(text: str) -> str:
    return "".join(ch if _KEPT.fullmatch(ch) else f"_{ord(ch):x}_" for ch in text)


def month_of(moment: datetime) -> str:
    """`YYYY-MM` of a moment, in UTC (naive moments are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m")


def entity_key(request: ApprovalRequest, moment: datetime) -> str:
    """The key of the requester's month entity for a moment."""
    return f"{requester_key(request)}:{month_of(moment)}"


def counted(state: Any) -> dict[str, float]:
    """The amounts a state counted, by approval id (an empty or unreadable state counted none)."""
    approvals = state.get("approvals") if isinstance(state, Mapping) else None
    if not isinstance(approvals, Mapping):
        return {}
    return {str(key): float(value) for key, value in approvals.items()
            if isinstance(value, (int, float)) and not isinstance(value, bool)}


def total(state: Any) -> float:
    """The month's total so far."""
    return math.fsum(counted(state).values())


def added(state: Any, operation_input: Any) -> dict[str, Any]:
    """The state after `add {"approvalId", "amount"}`: unchanged when that approval was counted
    already, or when the input names no approval or no positive amount."""
    approvals = counted(state)
    if isinstance(operation_input, Mapping):
        approval_id, amount = operation_input.get("approvalId"), operation_input.get("amount")
        if (isinstance(approval_id, str) and approval_id and approval_id not in approvals
                and isinstance(amount, (int, float)) and not isinstance(amount, bool)
                and math.isfinite(amount) and amount > 0):
            approvals[approval_id] = float(amount)
    return {"total": math.fsum(approvals.values()), "approvals": approvals}


def add_input(approval_id: str, amount: float) -> dict[str, Any]:
    """What the orchestration sends with `add`."""
    return {"approvalId": approval_id, "amount": amount}
