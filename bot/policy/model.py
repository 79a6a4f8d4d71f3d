"""The policy as the workflow uses it: pure values, JSON round-trip, no I/O.

A `Route` is one tier resolved for one request. It travels in the orchestration's input, so a
replay sees the same stages, approvers and deadlines even when the policy file changed meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.people import FRONT_ENDS, SLACK, Person

ON_TIMEOUT_ESCALATE = "escalate"
ON_TIMEOUT_DENY = "deny"
ON_TIMEOUT_CHOICES = (ON_TIMEOUT_ESCALATE, ON_TIMEOUT_DENY)

SLACK_GROUP_PREFIX = "S"


@dataclass(frozen=True)
class Approvers:
    """Who may decide, per front end: Slack user or user-group ids, Teams user ids."""

    by_front_end: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def on(self, front_end: str) -> tuple[str, ...]:
        return tuple(self.by_front_end.get(front_end, ()))

    def includes(self, person: Person, groups_of: tuple[str, ...] = ()) -> bool:
        """Is this account listed, directly or through one of its Slack user groups?"""
        listed = self.on(person.platform)
        return person.id in listed or any(group in listed for group in groups_of)

    def groups_on(self, front_end: str) -> tuple[str, ...]:
        """The Slack user-group ids listed (their members decide too)."""
        if front_end != SLACK:
            return ()
        return tuple(a for a in self.on(front_end) if a.startswith(SLACK_GROUP_PREFIX))

    def to_json(self) -> dict[str, list[str]]:
        return {front_end: list(ids) for front_end, ids in self.by_front_end.items() if ids}

    @classmethod
    def from_json(cls, data: Any) -> Approvers:
        if not isinstance(data, Mapping):
            return cls({})
        return cls({str(k): tuple(str(i) for i in v) for k, v in data.items()
                    if k in FRONT_ENDS and isinstance(v, (list, tuple))})


@dataclass(frozen=True)
class StageRule:
    """One approval in order: who gives it and how long they have."""

    name: str
    approvers: Approvers
    deadline_seconds: int | None = None  # None: the request's own timeout


@dataclass(frozen=True)
class SeniorRule:
    """Senior management acting on an escalation: who, by when, and what silence means."""

    approvers: Approvers
    deadline_seconds: int
    on_timeout: str = ON_TIMEOUT_ESCALATE


@dataclass(frozen=True)
class Tier:
    """The requests above `over` (and up to the next tier's `over`). With a `monthly_limit`, a
    request that would take the requester's Approved spend this month over it goes a tier up."""

    name: str
    over: float
    stages: tuple[StageRule, ...]
    label: str = ""
    channels: Mapping[str, str] = field(default_factory=dict)
    reminders: tuple[float, ...] = ()
    senior: SeniorRule | None = None
    monthly_limit: float | None = None


@dataclass(frozen=True)
class Policy:
    """Tiers sorted by `over`, lowest first; the first starts at 0, so every amount has one."""

    name: str
    source: str
    tiers: tuple[Tier, ...]

    def tier_for(self, amount: float | None) -> Tier:
        """The tier with the highest threshold the amount is over (no amount: the lowest)."""
        chosen = self.tiers[0]
        for tier in self.tiers:
            if amount is not None and amount > tier.over:
                chosen = tier
        return chosen

    def tier_within_limits(self, amount: float | None, month_to_date: float | None) -> tuple[Tier, Tier | None]:
        """The tier for the amount, moved up one tier at a time while month-to-date plus the
        amount is over the tier's monthly limit (the highest tier stays); and the last tier whose
        limit moved it, if any. Without an amount or a month-to-date figure, limits don't apply."""
        chosen, passed = self.tier_for(amount), None
        if amount is None or month_to_date is None:
            return chosen, None
        while chosen.monthly_limit is not None and month_to_date + amount > chosen.monthly_limit:
            higher = [tier for tier in self.tiers if tier.over > chosen.over]
            if not higher:
                break
            chosen, passed = higher[0], chosen
        return chosen, passed

    def route_for(self, amount: float | None, default_deadline: int,
                  month_to_date: float | None = None) -> Route:
        tier, passed = self.tier_within_limits(amount, month_to_date)
        reason = tier.label or self.describe(tier)
        if passed is not None and passed.monthly_limit is not None:
            reason = f"over the {_money(passed.monthly_limit)} monthly limit: {reason}"
        return Route(
            policy=self.name,
            tier=tier.name,
            reason=reason,
            channels=dict(tier.channels),
            stages=tuple(Step(s.name, s.approvers, s.deadline_seconds or default_deadline) for s in tier.stages),
            reminders=tier.reminders,
            senior=Senior(tier.senior.approvers, tier.senior.deadline_seconds, tier.senior.on_timeout)
            if tier.senior else None,
        )

    def describe(self, tier: Tier) -> str:
        """Why a request lands in a tier, in the words of its bounds ("over $1,000: finance")."""
        higher = [t.over for t in self.tiers if t.over > tier.over]
        if tier.over > 0:
            return f"over {_money(tier.over)}: {tier.name}"
        if higher:
            return f"up to {_money(min(higher))}: {tier.name}"
        return f"any amount: {tier.name}"


def _money(amount: float) -> str:
    return f"${amount:,.0f}" if float(amount).is_integer() else f"${amount:,.2f}"


# --- the resolved route, as the orchestration input carries it -----------------------------------


@dataclass(frozen=True)
class Step:
    """One stage of a resolved route."""

    name: str
    approvers: Approvers
    deadline_seconds: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "approvers": self.approvers.to_json(), "deadlineSeconds": self.deadline_seconds}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Step:
        return cls(str(data["name"]), Approvers.from_json(data.get("approvers")), int(data["deadlineSeconds"]))


@dataclass(frozen=True)
class Senior:
    approvers: Approvers
    deadline_seconds: int
    on_timeout: str = ON_TIMEOUT_ESCALATE

    def to_json(self) -> dict[str, Any]:
        return {"approvers": self.approvers.to_json(), "deadlineSeconds": self.deadline_seconds,
                "onTimeout": self.on_timeout}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Senior:
        on_timeout = data.get("onTimeout")
        return cls(Approvers.from_json(data.get("approvers")), int(data["deadlineSeconds"]),
                   on_timeout if on_timeout in ON_TIMEOUT_CHOICES else ON_TIMEOUT_ESCALATE)


@dataclass(frozen=True)
class Route:
    """A request's tier, resolved when it started: where it goes and who decides, stage by stage."""

    policy: str
    tier: str
    reason: str
    stages: tuple[Step, ...]
    channels: Mapping[str, str] = field(default_factory=dict)
    reminders: tuple[float, ...] = ()
    senior: Senior | None = None

    def channel_on(self, front_end: str) -> str | None:
        return self.channels.get(front_end)

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "tier": self.tier,
            "reason": self.reason,
            "channels": dict(self.channels),
            "stages": [step.to_json() for step in self.stages],
            "reminders": list(self.reminders),
            "senior": self.senior.to_json() if self.senior else None,
        }

    @classmethod
    def from_json(cls, data: Any) -> Route:
        """Read what `to_json` wrote; ValueError for anything else."""
        if not isinstance(data, Mapping):
            raise ValueError("route must be a JSON object")
        try:
            stages = tuple(Step.from_json(step) for step in data["stages"])
            if not stages:
                raise ValueError("route has no stages")
            channels = data.get("channels") or {}
            senior = data.get("senior")
            return cls(
                policy=str(data["policy"]),
                tier=str(data["tier"]),
                reason=str(data.get("reason") or ""),
                stages=stages,
                channels={str(k): str(v) for k, v in channels.items() if k in FRONT_ENDS},
                reminders=tuple(float(r) for r in data.get("reminders") or ()),
                senior=Senior.from_json(senior) if isinstance(senior, Mapping) else None,
            )
        except (KeyError, TypeError) as error:
            raise ValueError(f"route is malformed: {error}") from error

    def recorded(self) -> dict[str, Any]:
        """What an outcome records about the policy it was decided under."""
        return {"name": self.policy, "tier": self.tier, "reason": self.reason}
