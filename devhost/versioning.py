"""Orchestration versioning, with the rules the Durable extension applies.

The extension hands host.json's `durableTask.defaultVersion`, `versionMatchStrategy` and
`versionFailureStrategy` to DurableTask.Core's `VersioningSettings` (DurableTaskExtension.
InitializeTaskHubWorker), and DurableTask.Core checks every orchestration work item against
them (TaskOrchestrationDispatcher) before any user code runs:

- a new instance gets the version its starter asked for (`?version=`, `start_new(version=)`,
  `call_sub_orchestrator(version=)`), else the host's defaultVersion at that moment (HttpApiHandler
  start: `query["version"] ?? Options.DefaultVersion`); continue-as-new keeps the version;
- None accepts every version; Strict accepts only a version equal to defaultVersion (ordinal,
  and null is not ""); CurrentOrOlder accepts a version that `compare_versions` puts at or
  below defaultVersion;
- a refused work item is abandoned (Reject: the instance stays as it is and is tried again
  later) or the instance fails with `MISMATCH_OUTPUT` (Fail).

Defaults are the extension's (DurableTaskOptions): no defaultVersion, CurrentOrOlder, Reject.
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import Any


class MatchStrategy(Enum):
    NONE = "None"
    STRICT = "Strict"
    CURRENT_OR_OLDER = "CurrentOrOlder"


class FailureStrategy(Enum):
    REJECT = "Reject"
    FAIL = "Fail"


# DurableTask.Core fails the instance with FailureDetails("VersionMismatch", "<message>"); the
# status output is FailureDetails.ToString(): "<ErrorType>: <ErrorMessage>".
MISMATCH_OUTPUT = "VersionMismatch: Orchestration version did not comply with Worker Versioning"

_INT32_MAX = 2**31 - 1
_NUMBER_WHITE = " \t\n\v\f\r"  # what .NET's NumberStyles.Integer lets surround the digits


def _blank(text: str | None) -> bool:
    """string.IsNullOrWhiteSpace (char.IsWhiteSpace: separators and the C0/NEL controls)."""
    if text is None:
        return True
    return all(c in "\t\n\v\f\r\x85" or unicodedata.category(c) in ("Zs", "Zl", "Zp")
               for c in text)


def _component(text: str) -> int | None:
    """int.TryParse(NumberStyles.Integer, invariant) and >= 0, as System.Version reads parts."""
    digits = text.strip(_NUMBER_WHITE)
    negative = digits.startswith("-")
    if digits.startswith(("+", "-")):
        digits = digits[1:]
    if not digits or any(not "0" <= c <= "9" for c in digits):
        return None
    value = -int(digits) if negative else int(digits)
    if value > _INT32_MAX or value < 0:
        return None
    return value


def dotnet_version(text: str) -> tuple[int, int, int, int] | None:
    """System.Version.TryParse: 2 to 4 dot-separated parts; a missing build or revision is -1,
    so "1.0" sorts below "1.0.0" as it does in .NET."""
    parts = text.split(".")
    if not 2 <= len(parts) <= 4:
        return None
    numbers = [_component(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    padded = [n for n in numbers if n is not None] + [-1] * (4 - len(numbers))
    return padded[0], padded[1], padded[2], padded[3]


def _ordinal_ignore_case(text: str) -> bytes:
    """A sort key for string.Compare(..., OrdinalIgnoreCase): each character upper-cased on its
    own, then compared as UTF-16 code units."""
    upper = "".join(u if len(u := c.upper()) == 1 else c for c in text)
    return upper.encode("utf-16-be", "surrogatepass")


@functools.lru_cache(maxsize=1024)  # checked before every episode; a host sees few versions
def compare_versions(source: str | None, other: str | None) -> int:
    """VersioningSettings.CompareVersions: -1, 0 or 1 as `source` is below, equal to or above
    `other`. Blank versions are equal to each other and below any defined one; two
    System.Version texts compare as versions; anything else compares as text, ignoring case."""
    if _blank(source) and _blank(other):
        return 0
    if _blank(source):
        return -1
    if _blank(other):
        return 1
    assert source is not None and other is not None  # neither is blank
    left, right = dotnet_version(source), dotnet_version(other)
    if left is not None and right is not None:
        return (left > right) - (left < right)
    a, b = _ordinal_ignore_case(source), _ordinal_ignore_case(other)
    return (a > b) - (a < b)


@dataclass(frozen=True)
class Versioning:
    """The host's versioning settings (host.json, read once at start)."""
    default_version: str | None = None
    match: MatchStrategy = MatchStrategy.CURRENT_OR_OLDER
    failure: FailureStrategy = FailureStrategy.REJECT

    def version_for_new(self, requested: str | None) -> str | None:
        """The version a new instance gets: the one asked for, else defaultVersion."""
        return requested if requested is not None else self.default_version

    def accepts(self, version: str | None) -> bool:
        """Whether this host runs work for an instance of `version`."""
        if self.match is MatchStrategy.STRICT:
            return version == self.default_version
        if self.match is MatchStrategy.CURRENT_OR_OLDER:
            return compare_versions(version, self.default_version) <= 0
        return True

    def describe(self) -> str:
        shown = "none" if self.default_version is None else repr(self.default_version)
        return (f"defaultVersion {shown}, versionMatchStrategy {self.match.value}, "
                f"versionFailureStrategy {self.failure.value}")


def _strategy(value: Any, kind: type[MatchStrategy] | type[FailureStrategy], key: str) -> Any:
    """An enum setting as .NET binds it: the name in any case, or its number."""
    members = list(kind)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(members):
        return members[value]
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and int(text) < len(members):
            return members[int(text)]
        for member in members:
            if member.value.lower() == text.lower():
                return member
    names = ", ".join(m.value for m in members)
    raise ValueError(f"durableTask.{key} must be one of {names}, not {value!r}")


def read_versioning(durable_task: dict[str, Any]) -> Versioning:
    """The versioning settings of host.json's `extensions.durableTask` section.

    Keys match in any case, as .NET configuration does. A value devhost cannot read raises
    ValueError naming the setting (the Functions host refuses to start on it too)."""
    section = {str(k).lower(): v for k, v in durable_task.items()}
    default = section.get("defaultversion")
    if default is not None and not isinstance(default, str):
        raise ValueError("durableTask.defaultVersion must be a string such as \"1.0\" (in "
                         f"quotes) or null, not {default!r}")
    match, failure = section.get("versionmatchstrategy"), section.get("versionfailurestrategy")
    return Versioning(
        default,
        MatchStrategy.CURRENT_OR_OLDER if match is None
        else _strategy(match, MatchStrategy, "versionMatchStrategy"),
        FailureStrategy.REJECT if failure is None
        else _strategy(failure, FailureStrategy, "versionFailureStrategy"))
