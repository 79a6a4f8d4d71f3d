"""The approval domain: requests, decisions, ids and the shapes of workflow results.

Pure Python with no I/O, so the orchestrator (which must stay deterministic), the HTTP API and
the Slack listeners can all share one definition of what a valid request or decision is.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from bot.people import FRONT_ENDS, HTTP_API, SLACK, InvalidPerson, Person, is_slack_user_id
from bot.policy.model import Route

APPROVAL_ID_PREFIX = "approval-"

DEFAULT_REQUEST_TYPE = "expense_approval"
DEFAULT_REQUESTER = "anonymous"
DEFAULT_DESCRIPTION = "Expense approval request"
DEFAULT_TIMEOUT_SECONDS = 10 * 60
# Python durable timers are documented up to 6 days; longer waits need chained timers.
MAX_TIMEOUT_SECONDS = 6 * 24 * 60 * 60
MAX_AMOUNT = 1_000_000_000_000.0

MAX_REQUEST_TYPE_LENGTH = 64
MAX_REQUESTER_LENGTH = 256
MAX_DESCRIPTION_LENGTH = 2000
MAX_APPROVER_LENGTH = 256
MAX_COMMENTS_LENGTH = 2000

ESCALATION_REASON = "No response within timeout period"
ESCALATION_TARGET = "Sent to senior management"

_REQUEST_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
_INSTANCE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$")


class InvalidRequest(ValueError):
    """An approval request that cannot be started; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidDecision(ValueError):
    """A decision payload that must never count as an approval or a denial."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- ids -----------------------------------------------------------------------------------------


def approval_id_for(instance_id: str) -> str:
    """The user-facing approval id of an orchestration instance."""
    return APPROVAL_ID_PREFIX + instance_id


def instance_id_from_approval_id(text: str) -> str:
    """The instance id behind `approval-<id>` or a bare `<id>`; ValueError if it cannot be one."""
    if not isinstance(text, str):
        raise ValueError("approval id must be a string")
    candidate = text.strip()
    if candidate.startswith(APPROVAL_ID_PREFIX):
        candidate = candidate[len(APPROVAL_ID_PREFIX):]
    if not _INSTANCE_ID_PATTERN.fullmatch(candidate):
        raise ValueError(f"not an approval id: {text!r}")
    return candidate


# --- time ----------------------------------------------------------------------------------------


def utc_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a literal Z, seconds precision (the README's format)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> datetime:
    """Inverse of utc_timestamp (accepts any ISO 8601 form with Z or an offset)."""
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def timestamp_or_none(value: Any) -> datetime | None:
    """A stored timestamp as parse_timestamp reads it; None for anything that is not one."""
    if not isinstance(value, str):
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        return None


# --- field checks --------------------------------------------------------------------------------


def _check_text(field: str, value: Any, *, min_length: int, max_length: int) -> str:
    if not isinstance(value, str):
        raise InvalidRequest(field, "must be a string")
    if min_length and not value.strip():
        raise InvalidRequest(field, "must not be empty")
    if len(value) > max_length:
        raise InvalidRequest(field, f"must be at most {max_length} characters")
    return value


def _check_amount(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidRequest("amount", "must be a number")
    if isinstance(value, int) and abs(value) > MAX_AMOUNT:  # beyond float's range, too
        raise InvalidRequest("amount", "must be a positive finite number" if value < 0 else
                             f"must be at most {MAX_AMOUNT:.0f}")
    amount = float(value)
    if not math.isfinite(amount) or amount <= 0:
        raise InvalidRequest("amount", "must be a positive finite number")
    if amount > MAX_AMOUNT:
        raise InvalidRequest("amount", f"must be at most {MAX_AMOUNT:.0f}")
    return amount


def _check_timeout_seconds(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest("timeout_seconds", "must be a whole number of seconds")
    if value <= 0:
        raise InvalidRequest("timeout_seconds", "must be greater than 0")
    if value > MAX_TIMEOUT_SECONDS:
        raise InvalidRequest(
            "timeout_seconds",
            f"must be at most {MAX_TIMEOUT_SECONDS} seconds (6 days, the longest durable timer)",
        )
    return value


def _check_front_ends(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (tuple, list)) or any(item not in FRONT_ENDS for item in value):
        raise InvalidRequest("front_ends", f"must list front ends among {', '.join(FRONT_ENDS)}")
    return tuple(dict.fromkeys(value))


# --- the request ---------------------------------------------------------------------------------

_INPUT_KEYS = {
    "requestType": "request_type",
    "amount": "amount",
    "requester": "requester",
    "requesterAccount": "requester_account",
    "description": "description",
    "timeoutSeconds": "timeout_seconds",
    "origin": "origin",
    "frontEnds": "front_ends",
    "route": "route",
    "monthToDate": "month_to_date",
}
_LEGACY_INPUT_KEYS = {"requesterSlackId"}
_ORIGINS = (HTTP_API, *FRONT_ENDS)


@dataclass(frozen=True)
class ApprovalRequest:
    """What someone asks to have approved, validated on construction.

    `requester` is the name as given (free text over the HTTP API); `requester_account` is the
    chat account that asked, when the request came from a chat. `origin` is the front end it came
    from and `front_ends` where it is posted and notified: its own chat, or every configured one
    for a request from the HTTP API (fixed at start, so every replay sees the same list).
    `route` is the policy tier resolved at start (None without a policy): its stages, approvers
    and deadlines travel with the request so that replays never read the policy file.
    `month_to_date` is the requester's Approved spend this month as read at start (None when it
    could not be read), carried for the same reason (see bot.workflow.spending)."""

    request_type: str = DEFAULT_REQUEST_TYPE
    amount: float | None = None
    requester: str = DEFAULT_REQUESTER
    requester_account: Person | None = None
    description: str = DEFAULT_DESCRIPTION
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS
    origin: str = HTTP_API
    front_ends: tuple[str, ...] = (SLACK,)
    route: Route | None = None
    month_to_date: float | None = None

    def __post_init__(self) -> None:
        request_type = _check_text(
            "request_type", self.request_type, min_length=1, max_length=MAX_REQUEST_TYPE_LENGTH
        )
        if not _REQUEST_TYPE_PATTERN.fullmatch(request_type):
            raise InvalidRequest("request_type", "must be snake_case, e.g. expense_approval")
        object.__setattr__(self, "amount", _check_amount(self.amount))
        _check_text("requester", self.requester, min_length=1, max_length=MAX_REQUESTER_LENGTH)
        if self.requester_account is not None and not isinstance(self.requester_account, Person):
            raise InvalidRequest("requester_account", "must be a chat account")
        _check_text("description", self.description, min_length=0, max_length=MAX_DESCRIPTION_LENGTH)
        _check_timeout_seconds(self.timeout_seconds)
        if self.origin not in _ORIGINS:
            raise InvalidRequest("origin", f"must be one of {', '.join(_ORIGINS)}")
        object.__setattr__(self, "front_ends", _check_front_ends(self.front_ends))
        if self.route is not None and not isinstance(self.route, Route):
            raise InvalidRequest("route", "must be a policy route")
        if self.month_to_date is not None:
            spent = self.month_to_date
            if isinstance(spent, bool) or not isinstance(spent, (int, float)) or not 0 <= spent < math.inf:
                raise InvalidRequest("month_to_date", "must be a finite amount of at least 0")
            object.__setattr__(self, "month_to_date", float(spent))

    @property
    def display_type(self) -> str:
        """`expense_approval` -> `ExpenseApproval`, as the README's outputs show it."""
        return pascal_case(self.request_type)

    @property
    def timeout_minutes(self) -> int | float:
        """The timeout in minutes: whole when it is whole, else rounded to 2 decimals."""
        minutes = self.timeout_seconds / 60
        return int(minutes) if minutes.is_integer() else round(minutes, 2)

    def account_on(self, platform: str) -> Person | None:
        """The requester's account on a front end, when the request came from there."""
        account = self.requester_account
        return account if account is not None and account.is_on(platform) else None

    def to_input(self) -> dict[str, Any]:
        """The orchestrator input (JSON-ready, camelCase keys)."""
        return {
            "requestType": self.request_type,
            "amount": self.amount,
            "requester": self.requester,
            "requesterAccount": self.requester_account.to_json() if self.requester_account else None,
            "description": self.description,
            "timeoutSeconds": self.timeout_seconds,
            "origin": self.origin,
            "frontEnds": list(self.front_ends),
            **({"route": self.route.to_json()} if self.route is not None else {}),
            **({"monthToDate": self.month_to_date} if self.month_to_date is not None else {}),
        }

    @classmethod
    def from_input(cls, data: Mapping[str, Any] | str) -> ApprovalRequest:
        """Read an orchestrator input (dict, or the JSON text the durable client may deliver)."""
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except (ValueError, RecursionError) as exc:
                raise InvalidRequest("input", "is not valid JSON") from exc
        if not isinstance(data, Mapping):
            raise InvalidRequest("input", "must be a JSON object")
        unknown = sorted(set(data) - set(_INPUT_KEYS) - _LEGACY_INPUT_KEYS)
        if unknown:
            raise InvalidRequest(unknown[0], "is not a known field")
        values = {field: data[key] for key, field in _INPUT_KEYS.items() if key in data}
        values["requester_account"] = _account(data)
        if "front_ends" in values:
            values["front_ends"] = _check_front_ends(values["front_ends"])
        if values.get("route") is not None:
            try:
                values["route"] = Route.from_json(values["route"])
            except ValueError as invalid:
                raise InvalidRequest("route", str(invalid)) from invalid
        return cls(**values)


def _account(data: Mapping[str, Any]) -> Person | None:
    """The requester's account in an input; inputs written before accounts carry a Slack id."""
    try:
        if data.get("requesterAccount") is not None:
            return Person.from_json(data["requesterAccount"])
        legacy = data.get("requesterSlackId")
        return Person.slack(legacy) if legacy is not None else None
    except InvalidPerson as invalid:
        raise InvalidRequest("requesterAccount", str(invalid)) from invalid


def pascal_case(snake: str) -> str:
    """`expense_approval` -> `ExpenseApproval`."""
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_") if part)


# --- the decision --------------------------------------------------------------------------------

_DECISION_KEYS = frozenset({"approved", "approver", "comments", "decidedBy", "slackUserId", "stage"})
MAX_STAGE = 100


@dataclass(frozen=True)
class Decision:
    """A human's approve/deny answer; only a valid one can decide a request.

    `decided_by` is the chat account that clicked; None for a decision made over the HTTP API,
    whose `approver` is only the text its caller gave. `stage` is the policy stage the decider
    saw open (0-based; the senior review follows the last stage), so a late second click can never
    decide the next stage; None decides whichever stage is open."""

    approved: bool
    approver: str
    comments: str = ""
    decided_by: Person | None = None
    stage: int | None = None

    @classmethod
    def from_payload(cls, payload: Any) -> Decision:
        """Parse an `approval_response` event payload strictly (dict, or JSON text of a dict)."""
        if isinstance(payload, (str, bytes)):
            try:
                payload = json.loads(payload)
            except (ValueError, RecursionError) as exc:
                raise InvalidDecision("payload is not valid JSON") from exc
        if not isinstance(payload, Mapping):
            raise InvalidDecision("payload must be a JSON object")
        unknown = sorted(str(key) for key in set(payload) - _DECISION_KEYS)
        if unknown:
            raise InvalidDecision(f"unknown field(s): {', '.join(unknown)}")

        approved = payload.get("approved")
        if not isinstance(approved, bool):
            raise InvalidDecision("approved must be true or false")

        approver = payload.get("approver")
        if not isinstance(approver, str) or not approver.strip():
            raise InvalidDecision("approver is required (a non-empty string)")
        if len(approver) > MAX_APPROVER_LENGTH:
            raise InvalidDecision(f"approver must be at most {MAX_APPROVER_LENGTH} characters")

        comments = payload.get("comments")
        if comments is None:
            comments = ""
        if not isinstance(comments, str):
            raise InvalidDecision("comments must be a string")
        if len(comments) > MAX_COMMENTS_LENGTH:
            raise InvalidDecision(f"comments must be at most {MAX_COMMENTS_LENGTH} characters")

        stage = payload.get("stage")
        if stage is not None and (isinstance(stage, bool) or not isinstance(stage, int) or not 0 <= stage <= MAX_STAGE):
            raise InvalidDecision(f"stage must be a whole number from 0 to {MAX_STAGE}")
        return cls(approved=approved, approver=approver, comments=comments, decided_by=_decider(payload),
                   stage=stage)

    def to_payload(self) -> dict[str, Any]:
        """The event payload that from_payload reads back."""
        payload: dict[str, Any] = {
            "approved": self.approved,
            "approver": self.approver,
            "comments": self.comments,
        }
        if self.decided_by is not None:
            payload["decidedBy"] = self.decided_by.to_json()
        if self.stage is not None:
            payload["stage"] = self.stage
        return payload

    @property
    def status(self) -> str:
        return STATUS_APPROVED if self.approved else STATUS_DENIED

    @property
    def via(self) -> str:
        """The front end the decision was made on (`api` for the HTTP API)."""
        return self.decided_by.platform if self.decided_by is not None else HTTP_API

    def approval_record(self, decided_at: datetime) -> dict[str, Any]:
        """The README's `approval` object, plus where and by which account it was decided."""
        record: dict[str, Any] = {
            "approved": self.approved,
            "comments": self.comments,
            "approver": self.approver,
            "timestamp": utc_timestamp(decided_at),
            "via": self.via,
        }
        if self.decided_by is not None:
            record["decidedBy"] = self.decided_by.to_json()
            if self.decided_by.is_on(SLACK):
                record["slackUserId"] = self.decided_by.id
        return record


def _decider(payload: Mapping[str, Any]) -> Person | None:
    """The deciding account; payloads raised before accounts carry a Slack id."""
    try:
        if payload.get("decidedBy") is not None:
            return Person.from_json(payload["decidedBy"])
    except InvalidPerson as invalid:
        raise InvalidDecision(f"decidedBy: {invalid}") from invalid
    legacy = payload.get("slackUserId")
    if legacy is None:
        return None
    if not is_slack_user_id(legacy):
        raise InvalidDecision("slackUserId must be a Slack user id such as U012ABCDEF")
    return Person.slack(legacy, payload["approver"])


# --- the cancellation ----------------------------------------------------------------------------

MAX_REASON_LENGTH = MAX_COMMENTS_LENGTH
_CANCELLATION_KEYS = frozenset({"cancel", "by", "reason", "cancelledBy"})


@dataclass(frozen=True)
class Cancellation:
    """The requester withdrawing a request that still waits.

    It travels on the decision event, so the one wait that takes decisions takes it too and the
    first of a cancellation and a decision wins. `cancelled_by` is the requester's chat account;
    None over the HTTP API, whose `by` is only the name its caller gave."""

    by: str
    reason: str = ""
    cancelled_by: Person | None = None

    # Never an approval: a step that moves on only after an approval stops at a cancellation.
    approved: ClassVar[bool] = False

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Cancellation:
        """Read a `{"cancel": true, ...}` event payload strictly."""
        unknown = sorted(str(key) for key in set(payload) - _CANCELLATION_KEYS)
        if unknown:
            raise InvalidDecision(f"unknown field(s) in a cancellation: {', '.join(unknown)}")
        if payload.get("cancel") is not True:
            raise InvalidDecision("cancel must be true")
        by = payload.get("by")
        if not isinstance(by, str) or not by.strip():
            raise InvalidDecision("by is required (a non-empty string)")
        if len(by) > MAX_APPROVER_LENGTH:
            raise InvalidDecision(f"by must be at most {MAX_APPROVER_LENGTH} characters")
        reason = payload.get("reason")
        if reason is None:
            reason = ""
        if not isinstance(reason, str) or len(reason) > MAX_REASON_LENGTH:
            raise InvalidDecision(f"reason must be a string of at most {MAX_REASON_LENGTH} characters")
        try:
            account = Person.from_json(payload["cancelledBy"]) if payload.get("cancelledBy") is not None else None
        except InvalidPerson as invalid:
            raise InvalidDecision(f"cancelledBy: {invalid}") from invalid
        return cls(by=by, reason=reason, cancelled_by=account)

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"cancel": True, "by": self.by, "reason": self.reason}
        if self.cancelled_by is not None:
            payload["cancelledBy"] = self.cancelled_by.to_json()
        return payload

    @property
    def status(self) -> str:
        return STATUS_CANCELLED

    @property
    def via(self) -> str:
        return self.cancelled_by.platform if self.cancelled_by is not None else HTTP_API

    def is_by_requester(self, request: ApprovalRequest, requester: Person | None) -> bool:
        """Only the requester may cancel: in a chat, the requester's own account; over the HTTP
        API, which knows no accounts, a request made over the HTTP API, named as it was made."""
        if self.cancelled_by is not None:
            return requester is not None and requester.same_account(self.cancelled_by)
        return request.origin == HTTP_API and same_name(request.requester, self.by)

    def record(self, cancelled_at: datetime) -> dict[str, Any]:
        """The output's `cancellation` object: by whom, why, when and where."""
        record: dict[str, Any] = {
            "by": self.by,
            "reason": self.reason,
            "timestamp": utc_timestamp(cancelled_at),
            "via": self.via,
        }
        if self.cancelled_by is not None:
            record["cancelledBy"] = self.cancelled_by.to_json()
        return record


def same_name(first: str, second: str) -> bool:
    """Two typed names of one person, ignoring case and surrounding spaces."""
    return first.strip().casefold() == second.strip().casefold()


def parse_response(payload: Any) -> Decision | Cancellation:
    """An event on the decision channel: a decision, or the requester's cancellation."""
    if isinstance(payload, (str, bytes)):
        try:
            payload = json.loads(payload)
        except (ValueError, RecursionError) as exc:
            raise InvalidDecision("payload is not valid JSON") from exc
    if isinstance(payload, Mapping) and "cancel" in payload:
        return Cancellation.from_payload(payload)
    return Decision.from_payload(payload)


# --- outputs -------------------------------------------------------------------------------------

STATUS_APPROVED = "Approved"
STATUS_DENIED = "Denied"
STATUS_ESCALATED = "Escalated"
STATUS_CANCELLED = "Cancelled"
FINAL_STATUSES = (STATUS_APPROVED, STATUS_DENIED, STATUS_ESCALATED, STATUS_CANCELLED)


def _request_summary(request: ApprovalRequest, approval_id: str) -> dict[str, Any]:
    return {
        "approvalId": approval_id,
        "amount": request.amount,
        "requester": request.requester,
        "description": request.description,
    }


def decision_output(
    request: ApprovalRequest, approval_id: str, decision: Decision, decided_at: datetime
) -> dict[str, Any]:
    """The orchestration output for an approved or denied request (README fields first)."""
    return {
        "requestType": request.display_type,
        "status": decision.status,
        "approval": decision.approval_record(decided_at),
        **_request_summary(request, approval_id),
        "decidedAt": utc_timestamp(decided_at),
    }


def escalated_output(
    request: ApprovalRequest, approval_id: str, escalated_at: datetime
) -> dict[str, Any]:
    """The orchestration output when nobody decided before the deadline."""
    return {
        "requestType": request.display_type,
        "status": STATUS_ESCALATED,
        "reason": ESCALATION_REASON,
        "escalation": ESCALATION_TARGET,
        "timeoutMinutes": request.timeout_minutes,
        **_request_summary(request, approval_id),
        "timeoutSeconds": request.timeout_seconds,
        "escalatedAt": utc_timestamp(escalated_at),
    }


POLICY_APPROVER = "approval policy"
VIA_POLICY = "policy"
SENIOR_TIMEOUT_COMMENT = "No decision from senior management within their deadline"


def senior_timeout_output(
    request: ApprovalRequest, approval_id: str, deny: bool, at: datetime
) -> dict[str, Any]:
    """When senior management, too, let its deadline pass: the sample's Escalated output, or a
    denial recorded as made by the policy when the policy says silence means no."""
    if not deny:
        return escalated_output(request, approval_id, at)
    output = decision_output(request, approval_id, Decision(False, POLICY_APPROVER, SENIOR_TIMEOUT_COMMENT), at)
    output["approval"]["via"] = VIA_POLICY
    return output


def cancelled_output(
    request: ApprovalRequest, approval_id: str, cancellation: Cancellation, cancelled_at: datetime
) -> dict[str, Any]:
    """The orchestration output when the requester withdrew the request."""
    return {
        "requestType": request.display_type,
        "status": STATUS_CANCELLED,
        "cancellation": cancellation.record(cancelled_at),
        **_request_summary(request, approval_id),
        "cancelledAt": utc_timestamp(cancelled_at),
    }


@dataclass(frozen=True)
class RecordedCancellation:
    """A `cancellation` record as the workflow stored it, read back for showing it."""

    by: str
    reason: str
    cancelled_at: datetime | None
    cancelled_by: Person | None
    via: str = HTTP_API

    @classmethod
    def from_record(cls, record: Any) -> RecordedCancellation:
        record = record if isinstance(record, Mapping) else {}
        timestamp = record.get("timestamp")
        try:
            account = Person.from_json(record["cancelledBy"]) if record.get("cancelledBy") is not None else None
        except InvalidPerson:
            account = None
        via = record.get("via")
        return cls(
            by=str(record.get("by") or "the requester"),
            reason=str(record.get("reason") or ""),
            cancelled_at=parse_timestamp(timestamp) if isinstance(timestamp, str) else None,
            cancelled_by=account,
            via=via if isinstance(via, str) else (account.platform if account else HTTP_API),
        )


@dataclass(frozen=True)
class RecordedDecision:
    """An `approval` record as the workflow stored it, read back for showing it."""

    approved: bool
    approver: str
    comments: str
    decided_at: datetime | None
    decided_by: Person | None
    via: str = HTTP_API

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> RecordedDecision:
        timestamp = record.get("timestamp")
        try:
            decided_by = _decider(record) if isinstance(record.get("approver"), str) else None
        except InvalidDecision:
            decided_by = None
        via = record.get("via")
        return cls(
            approved=bool(record.get("approved")),
            approver=str(record.get("approver") or "unknown"),
            comments=str(record.get("comments") or ""),
            decided_at=parse_timestamp(timestamp) if isinstance(timestamp, str) else None,
            decided_by=decided_by,
            via=via if isinstance(via, str) else (decided_by.platform if decided_by else HTTP_API),
        )

    @property
    def verb(self) -> str:
        return "Approved" if self.approved else "Denied"
