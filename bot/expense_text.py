"""Reading what people type in any chat: `<amount> <description>` and amounts like `$1,250.50`.

Slack's `/expense 120 Team lunch` and Teams' `expense 120 Team lunch` follow the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_AMOUNT = re.compile(
    r"""^(?:(?P<code_before>[A-Za-z]{3})\s*)?   # USD 1250
        (?P<symbol>\$)?\s*
        (?P<number>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?|\.\d{1,2})
        (?:\s*(?P<code_after>[A-Za-z]{3}))?$     # 1250.50 USD
    """,
    re.VERBOSE,
)
# The amount is the leading run of characters an amount can contain, with an optional currency
# code before or after it (upper case, or "usd" in any case) so "1250 EUR" is refused, not misread.
_CODE = r"(?:[A-Z]{3}|[Uu][Ss][Dd])"
_COMMAND = re.compile(
    rf"^\s*(?P<amount>(?:{_CODE}\s+)?\$?\s*[\d.,]+(?:\s*{_CODE}(?=\s|$))?)(?:\s+(?P<rest>.*))?$", re.S
)

_NEGATIVE = re.compile(r"^\s*(?:[A-Za-z]{3}\s+)?\$?\s*[-−]\s*\$?\s*[\d.,]")


class ParseError(ValueError):
    """Input we cannot read; the message is shown to the person who typed it."""


@dataclass(frozen=True)
class ExpenseCommand:
    amount: float
    description: str


def parse_amount(text: str) -> float:
    """`5000`, `$1,250.50`, `1250.50 USD`, `USD 99` -> float. Other currencies are refused."""
    match = _AMOUNT.match(text.strip())
    if not match:
        raise ParseError(f"“{text.strip()}” is not an amount. Write it like 5000, $1,250.50 or 1250.50 USD.")
    codes = {code.upper() for code in (match["code_before"], match["code_after"]) if code}
    if codes - {"USD"} or (match["code_before"] and match["code_after"]):
        raise ParseError("Amounts are in US dollars: write 1250.50, $1,250.50 or 1250.50 USD.")
    amount = float(match["number"].replace(",", ""))
    if amount <= 0:
        raise ParseError("The amount must be more than zero.")
    return amount


def wants_form(text: str) -> bool:
    """`/expense` alone or `/expense help` opens the form."""
    return text.strip().lower() in ("", "help", "new", "form")


def parse_expense_command(text: str) -> ExpenseCommand:
    """Split `/expense` text into an amount and a description."""
    match = _COMMAND.match(text)
    if not match:
        if _NEGATIVE.match(text):
            raise ParseError("The amount must be more than zero.")
        first = text.split()[0] if text.split() else ""
        raise ParseError(f"“{first[:40]}” is not an amount. Start with the amount, like 5000 or $1,250.50.")
    amount = parse_amount(match["amount"])
    description = " ".join((match["rest"] or "").split())
    if not description:
        raise ParseError("Add what the expense is for after the amount.")
    return ExpenseCommand(amount=amount, description=description)
