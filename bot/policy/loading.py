"""Reading a policy file (YAML or JSON) into a validated Policy, or one clear error.

The error names the file, the line (YAML and JSON syntax errors; every YAML key) and the key path,
and the problem, so whoever edits the file can fix it without reading code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.approvals import MAX_AMOUNT, MAX_TIMEOUT_SECONDS
from bot.people import FRONT_ENDS, SLACK, TEAMS
from bot.policy.model import ON_TIMEOUT_CHOICES, ON_TIMEOUT_ESCALATE, Approvers, Policy, SeniorRule, StageRule, Tier

_SLACK_APPROVER = re.compile(r"^[UWS][A-Z0-9]{2,31}$")
_TEAMS_APPROVER = re.compile(r"^[A-Za-z0-9:_@.\-]{1,256}$")
_SLACK_CHANNEL = re.compile(r"^[CG][A-Z0-9]{2,}$")
_TEAMS_CONVERSATION = re.compile(r"^\S{1,512}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.\-]{0,63}$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_REMINDERS = 5
MAX_STAGES = 10
MAX_TIERS = 50

_KEYS = {
    "": {"name", "tiers"},
    "tier": {"name", "over", "label", "channel", "stages", "reminders", "senior", "monthly_limit"},
    "stage": {"name", "approvers", "deadline"},
    "senior": {"approvers", "deadline", "on_timeout"},
}


class PolicyError(ValueError):
    """The policy file can't be used: which file, where in it, and what is wrong."""

    def __init__(self, file: str, where: str, problem: str) -> None:
        super().__init__(f"{file}: {where}: {problem}" if where else f"{file}: {problem}")
        self.file = file
        self.where = where
        self.problem = problem


def load_policy(path: str | Path) -> Policy:
    """The validated policy in `path`; PolicyError otherwise."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(file, "", f"can't be read ({error.__class__.__name__}: {error})") from error
    data, lines = _parse(file, text)
    return _Validator(file, lines).policy(data)


def _parse(file: str, text: str) -> tuple[Any, dict[str, int]]:
    """The document and, for YAML, the line of each key path."""
    if file.endswith(".json"):
        try:
            return json.loads(text), {}
        except json.JSONDecodeError as error:
            raise PolicyError(file, f"line {error.lineno}", f"is not valid JSON ({error.msg})") from error
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise PolicyError(file, where, f"is not valid YAML ({getattr(error, 'problem', None) or error})") from error
    lines: dict[str, int] = {}
    if node is not None:
        _index(node, "", lines)
    return data, lines


def _index(node: yaml.Node, path: str, lines: dict[str, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{path}.{key.value}" if path else str(key.value)
            lines[child] = key.start_mark.line + 1
            _index(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index(item, f"{path}[{index}]", lines)


class _Validator:
    def __init__(self, file: str, lines: dict[str, int]) -> None:
        self.file = file
        self.lines = lines

    def fail(self, path: str, problem: str) -> PolicyError:
        line = self.lines.get(path)
        where = ", ".join(part for part in (f"line {line}" if line else "", path) if part)
        return PolicyError(self.file, where, problem)

    def mapping(self, value: Any, path: str, kind: str, required: tuple[str, ...]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path or "(top level)", "must be a mapping of keys to values")
        for key in value:
            if key not in _KEYS[kind]:
                known = ", ".join(sorted(_KEYS[kind]))
                raise self.fail(_join(path, str(key)), f"is not a known key here (known: {known})")
        for key in required:
            if key not in value:
                raise self.fail(path or "(top level)", f"needs the key {key!r}")
        return value

    def policy(self, data: Any) -> Policy:
        top = self.mapping(data, "", "", ("tiers",))
        name = self.name(top.get("name", "policy"), "name")
        tiers_value = top["tiers"]
        if not isinstance(tiers_value, list) or not tiers_value or len(tiers_value) > MAX_TIERS:
            raise self.fail("tiers", f"must be a list of 1 to {MAX_TIERS} tiers")
        tiers = [self.tier(item, f"tiers[{i}]") for i, item in enumerate(tiers_value)]
        seen: dict[float, str] = {}
        names: set[str] = set()
        for i, tier in enumerate(tiers):
            if tier.over in seen:
                raise self.fail(f"tiers[{i}].over", f"{tier.over:g} is already the threshold of tier {seen[tier.over]!r}")
            if tier.name in names:
                raise self.fail(f"tiers[{i}].name", f"{tier.name!r} names two tiers")
            seen[tier.over] = tier.name
            names.add(tier.name)
        ordered = tuple(sorted(tiers, key=lambda tier: tier.over))
        if ordered[0].over != 0:
            raise self.fail("tiers", "one tier must start at over: 0, so that every amount has a tier")
        if ordered[-1].monthly_limit is not None:
            raise self.fail(f"tiers[{tiers.index(ordered[-1])}].monthly_limit",
                            "the highest tier has no tier above it to send requests over its limit to")
        return Policy(name=name, source=self.file, tiers=ordered)

    def tier(self, value: Any, path: str) -> Tier:
        tier = self.mapping(value, path, "tier", ("name", "stages"))
        stages_value = tier["stages"]
        if not isinstance(stages_value, list) or not stages_value or len(stages_value) > MAX_STAGES:
            raise self.fail(_join(path, "stages"), f"must be a list of 1 to {MAX_STAGES} stages")
        stages = tuple(self.stage(item, f"{path}.stages[{i}]") for i, item in enumerate(stages_value))
        stage_names = [stage.name for stage in stages]
        if len(set(stage_names)) != len(stage_names):
            raise self.fail(_join(path, "stages"), "two stages have the same name")
        label = tier.get("label", "")
        if not isinstance(label, str) or len(label) > 200:
            raise self.fail(_join(path, "label"), "must be text of at most 200 characters")
        return Tier(
            name=self.name(tier["name"], _join(path, "name")),
            over=self.amount(tier.get("over", 0), _join(path, "over")),
            stages=stages,
            label=label,
            channels=self.channels(tier.get("channel"), _join(path, "channel")),
            reminders=self.reminders(tier.get("reminders", []), _join(path, "reminders")),
            senior=self.senior(tier["senior"], _join(path, "senior")) if tier.get("senior") is not None else None,
            monthly_limit=self.monthly_limit(tier.get("monthly_limit"), _join(path, "monthly_limit")),
        )

    def monthly_limit(self, value: Any, path: str) -> float | None:
        """A requester's Approved spend per month above which this tier's requests go a tier up."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_AMOUNT:
            raise self.fail(path, f"must be an amount above 0 and at most {MAX_AMOUNT:.0f} "
                                  "(the Approved spend per requester and month above which requests go a tier up)")
        return float(value)

    def stage(self, value: Any, path: str) -> StageRule:
        stage = self.mapping(value, path, "stage", ("name", "approvers"))
        deadline = stage.get("deadline")
        return StageRule(
            name=self.name(stage["name"], _join(path, "name")),
            approvers=self.approvers(stage["approvers"], _join(path, "approvers")),
            deadline_seconds=self.duration(deadline, _join(path, "deadline")) if deadline is not None else None,
        )

    def senior(self, value: Any, path: str) -> SeniorRule:
        senior = self.mapping(value, path, "senior", ("approvers", "deadline"))
        on_timeout = senior.get("on_timeout", ON_TIMEOUT_ESCALATE)
        if on_timeout not in ON_TIMEOUT_CHOICES:
            raise self.fail(_join(path, "on_timeout"), f"must be one of {', '.join(ON_TIMEOUT_CHOICES)}")
        return SeniorRule(
            approvers=self.approvers(senior["approvers"], _join(path, "approvers")),
            deadline_seconds=self.duration(senior["deadline"], _join(path, "deadline")),
            on_timeout=on_timeout,
        )

    def name(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not _NAME.fullmatch(value):
            raise self.fail(path, "must be a name of letters, digits, spaces, '.', '_' or '-' (at most 64)")
        return value

    def amount(self, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_AMOUNT:
            raise self.fail(path, f"must be an amount between 0 and {MAX_AMOUNT:.0f}")
        return float(value)

    def duration(self, value: Any, path: str) -> int:
        """Seconds, or text like 30m, 4h, 2d."""
        seconds: float
        if isinstance(value, bool):
            raise self.fail(path, "must be a duration like 30m, 4h or 2d, or a number of seconds")
        if isinstance(value, (int, float)):
            seconds = value
        elif isinstance(value, str) and (match := _DURATION.fullmatch(value)):
            seconds = float(match.group(1)) * _UNITS[match.group(2)]
        else:
            raise self.fail(path, "must be a duration like 30m, 4h or 2d, or a number of seconds")
        if not 1 <= seconds <= MAX_TIMEOUT_SECONDS:
            raise self.fail(path, f"must be between 1 second and 6 days (the longest durable timer), got {value!r}")
        return int(seconds)

    def approvers(self, value: Any, path: str) -> Approvers:
        if not isinstance(value, Mapping) or not value:
            raise self.fail(path, f"must map front ends ({', '.join(FRONT_ENDS)}) to lists of ids")
        checks: dict[str, Callable[[str], bool]] = {
            SLACK: lambda item: bool(_SLACK_APPROVER.fullmatch(item)),
            TEAMS: lambda item: bool(_TEAMS_APPROVER.fullmatch(item)),
        }
        found: dict[str, tuple[str, ...]] = {}
        for front_end, ids in value.items():
            where = _join(path, str(front_end))
            if front_end not in checks:
                raise self.fail(where, f"is not a front end (known: {', '.join(FRONT_ENDS)})")
            if not isinstance(ids, list) or not ids:
                raise self.fail(where, "must be a non-empty list of ids")
            for index, item in enumerate(ids):
                if not isinstance(item, str) or not checks[front_end](item):
                    hint = "a Slack user id (U…) or user-group id (S…)" if front_end == SLACK else "a Teams user id"
                    raise self.fail(f"{where}[{index}]", f"{item!r} is not {hint}")
            found[front_end] = tuple(dict.fromkeys(ids))
        return Approvers(found)

    def channels(self, value: Any, path: str) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(path, "must map front ends to a channel (Slack) or conversation (Teams) id")
        patterns = {SLACK: _SLACK_CHANNEL, TEAMS: _TEAMS_CONVERSATION}
        for front_end, channel in value.items():
            where = _join(path, str(front_end))
            if front_end not in patterns:
                raise self.fail(where, f"is not a front end (known: {', '.join(FRONT_ENDS)})")
            if not isinstance(channel, str) or not patterns[front_end].fullmatch(channel):
                raise self.fail(where, f"{channel!r} is not a {'Slack channel id (C…)' if front_end == SLACK else 'Teams conversation id'}")
        return {str(k): str(v) for k, v in value.items()}

    def reminders(self, value: Any, path: str) -> tuple[float, ...]:
        """Fractions of each deadline, given as 0.5 or "50%", strictly increasing."""
        if not isinstance(value, list) or len(value) > MAX_REMINDERS:
            raise self.fail(path, f"must be a list of at most {MAX_REMINDERS} points like 50% or 0.9")
        points: list[float] = []
        for index, item in enumerate(value):
            point = _fraction(item)
            if point is None or not 0 < point < 1:
                raise self.fail(f"{path}[{index}]", f"{item!r} must be a point before the deadline, like 50% or 0.9")
            if points and point <= points[-1]:
                raise self.fail(f"{path}[{index}]", "reminders must be in increasing order")
            points.append(point)
        return tuple(points)


def _fraction(item: Any) -> float | None:
    if isinstance(item, bool):
        return None
    if isinstance(item, (int, float)):
        return float(item)
    if isinstance(item, str) and item.strip().endswith("%"):
        try:
            return float(item.strip()[:-1]) / 100
        except ValueError:
            return None
    return None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
