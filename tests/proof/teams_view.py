"""What a Teams card tells its reader, read from the card JSON the recording fake connector (or an
invoke answer) holds."""

from __future__ import annotations

import re
from typing import Any

from testkit.teams_harness import card_text, verbs

OPEN, APPROVED, DENIED, EXPIRED = "Open", "Approved", "Denied", "Expired"
_DECIDED = re.compile(r"^(Approved|Denied) by (.+)$", re.MULTILINE)


def shown_outcome(card: dict[str, Any] | None) -> tuple[str, str | None]:
    """(outcome, who decided) as the card shows it; an open card still has its buttons."""
    if verbs(card):
        return OPEN, None
    decided = _DECIDED.search(card_text(card))
    if decided:
        return decided.group(1), decided.group(2)
    if re.search(r"^Expired: ", card_text(card), re.MULTILINE):
        return EXPIRED, None
    return "Unknown", None
