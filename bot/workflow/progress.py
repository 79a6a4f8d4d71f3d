"""How far a request under a policy has come: the stages done, the one waiting, its deadline.

The orchestrator writes it into the custom status and hands it to the notifying activities, so
every card shows the same truth; without a policy there is no progress to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.approvals import RecordedDecision, parse_timestamp, utc_timestamp
from bot.policy.model import Approvers, Route

SENIOR_STAGE_NAME = "senior management"


@dataclass(frozen=True)
class StageRecord:
    """One stage's decision, as the output keeps it: which stage, who, what, why, when."""

    stage: str
    decision: dict[str, Any]  # the README's `approval` record

    def to_json(self) -> dict[str, Any]:
        return {"stage": self.stage, **self.decision}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StageRecord:
        record = dict(data)
        return cls(str(record.pop("stage", "")), record)

    @property
    def recorded(self) -> RecordedDecision:
        return RecordedDecision.from_record(self.decision)


@dataclass(frozen=True)
class Progress:
    """Where a routed request stands: `current` indexes the route's stages; one past the last is
    the senior review."""

    route: Route
    current: int
    deadline: datetime | None
    done: tuple[StageRecord, ...] = ()

    @property
    def in_senior_review(self) -> bool:
        return self.current >= len(self.route.stages)

    @property
    def stage_name(self) -> str:
        return SENIOR_STAGE_NAME if self.in_senior_review else self.route.stages[self.current].name

    @property
    def approvers(self) -> Approvers:
        """Who decides now."""
        if self.in_senior_review:
            return self.route.senior.approvers if self.route.senior else Approvers({})
        return self.route.stages[self.current].approvers

    @property
    def waiting(self) -> tuple[str, ...]:
        """The stages still to come after the current one (not the senior review)."""
        return tuple(step.name for step in self.route.stages[self.current + 1:])

    def to_json(self) -> dict[str, Any]:
        return {
            "route": self.route.to_json(),
            "current": self.current,
            "deadline": utc_timestamp(self.deadline) if self.deadline else None,
            "done": [record.to_json() for record in self.done],
        }

    @classmethod
    def from_json(cls, data: Any) -> Progress | None:
        if not isinstance(data, Mapping):
            return None
        try:
            route = Route.from_json(data.get("route"))
            deadline = data.get("deadline")
            return cls(
                route=route,
                current=int(data.get("current") or 0),
                deadline=parse_timestamp(deadline) if isinstance(deadline, str) else None,
                done=tuple(StageRecord.from_json(r) for r in data.get("done") or () if isinstance(r, Mapping)),
            )
        except (ValueError, TypeError):
            return None
