"""People as the workflow knows them: an account on one front end, never a platform's raw id.

A person who acted in Slack is `Person("slack", "U123", "bob")`; one in Teams is
`Person("teams", "29:1abc", "Bob")`. The HTTP API has no accounts: its callers name themselves
with free text, which is recorded as text and never turned into a chat identity.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SLACK = "slack"
TEAMS = "teams"
HTTP_API = "api"
FRONT_ENDS = (SLACK, TEAMS)

MAX_ACCOUNT_ID_LENGTH = 256
MAX_NAME_LENGTH = 256

_ACCOUNT_ID_PATTERNS = {
    SLACK: re.compile(r"^[UW][A-Z0-9]{1,31}$"),
    TEAMS: re.compile(r"^[A-Za-z0-9:_@.\-]{1,256}$"),
}


class InvalidPerson(ValueError):
    """An account that cannot be one on its front end."""


@dataclass(frozen=True)
class Person:
    """An account on a chat front end, with the name to show for it."""

    platform: str
    id: str
    name: str = ""

    def __post_init__(self) -> None:
        pattern = _ACCOUNT_ID_PATTERNS.get(self.platform)
        if pattern is None:
            raise InvalidPerson(f"unknown front end {self.platform!r}")
        if not isinstance(self.id, str) or not pattern.fullmatch(self.id):
            raise InvalidPerson(f"not a {self.platform} account id: {self.id!r}")
        if not isinstance(self.name, str) or len(self.name) > MAX_NAME_LENGTH:
            raise InvalidPerson(f"a name must be a string of at most {MAX_NAME_LENGTH} characters")

    @property
    def label(self) -> str:
        """How to name this person in plain text."""
        return self.name or self.id

    def same_account(self, other: Person) -> bool:
        """The same account, whatever name each copy carries."""
        return (self.platform, self.id) == (other.platform, other.id)

    def is_on(self, platform: str) -> bool:
        return self.platform == platform

    def to_json(self) -> dict[str, str]:
        return {"platform": self.platform, "id": self.id, "name": self.name}

    @classmethod
    def from_json(cls, data: Any) -> Person:
        """Read `to_json`'s shape strictly; InvalidPerson otherwise."""
        if not isinstance(data, Mapping) or set(data) - {"platform", "id", "name"}:
            raise InvalidPerson("a person is an object with platform, id and name")
        name = data.get("name") or ""
        return cls(str(data.get("platform")), data.get("id"), name)  # type: ignore[arg-type]

    @classmethod
    def slack(cls, user_id: str, name: str = "") -> Person:
        return cls(SLACK, user_id, name[:MAX_NAME_LENGTH])


def is_slack_user_id(text: Any) -> bool:
    return isinstance(text, str) and bool(_ACCOUNT_ID_PATTERNS[SLACK].fullmatch(text))
