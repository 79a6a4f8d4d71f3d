"""mrkdwn for text people typed, mentions, money and Slack's reader-local dates.

Whatever a person typed (description, requester, approver, comments, reason) is escaped, so
`<!channel>`, `<@U…>` or `<url|label>` stay inert, and is made to fit its field *after* escaping
(escaping can grow a text fivefold). Multi-line input is shown as a quote, so it can never pass
for one of the bot's own status lines.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.approvals import RecordedCancellation, RecordedDecision
from bot.people import HTTP_API, SLACK, Person

ELLIPSIS = "…"


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """Keep plain text within a length limit."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def inline(text: str, limit: int) -> str:
    """Typed text on one line: whitespace collapsed, escaped, at most `limit` characters."""
    return _fit(lambda raw: escape(" ".join(raw.split())), text, limit)


def quoted(text: str, limit: int) -> str:
    """Typed text as a quote block (every line behind `>`), escaped, at most `limit` characters."""

    def render(raw: str) -> str:
        lines = raw.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
        return "\n".join(">" + escape(line) for line in lines)

    return _fit(render, text, limit)


def _fit(render: Callable[[str], str], raw: str, limit: int) -> str:
    """`render(raw)`, or the rendering of the longest prefix of `raw` (plus …) that fits."""
    whole = render(raw)
    if len(whole) <= limit:
        return whole
    low, high = 0, len(raw)
    while low < high:  # the longest prefix whose rendering fits
        middle = (low + high + 1) // 2
        if len(render(raw[:middle].rstrip() + ELLIPSIS)) <= limit:
            low = middle
        else:
            high = middle - 1
    return render(raw[:low].rstrip() + ELLIPSIS)


def person(account: Person | None, fallback: str, limit: int = 300) -> str:
    """A mention of a Slack account, else the name as typed (escaped, one line)."""
    if account is not None and account.is_on(SLACK):
        return f"<@{account.id}>"
    return inline(fallback, limit)


def decider(decision: RecordedDecision) -> str:
    """Who decided: a mention for a Slack click; the typed name, marked, for anything else."""
    return _actor(decision.decided_by, decision.approver, decision.via)


def canceller(cancellation: RecordedCancellation) -> str:
    """Who cancelled, the same way."""
    return _actor(cancellation.cancelled_by, cancellation.by, cancellation.via)


def _actor(account: Person | None, name: str, via: str) -> str:
    if account is not None and account.is_on(SLACK):
        return f"<@{account.id}>"
    where = "through the HTTP API" if via == HTTP_API else f"in {via.capitalize()}"
    return f"{inline(name, 300)} ({where})"


def money(amount: float | None) -> str:
    return "not given" if amount is None else f"${amount:,.2f}"


def slack_date(moment: datetime) -> str:
    """`<!date^...>`: each reader sees the time in their own timezone; the fallback is UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    fallback = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def summary(decision: RecordedDecision) -> str:
    """"*Approved* by <@U1> at <date>": used in messages and ephemeral answers."""
    when = f" at {slack_date(decision.decided_at)}" if decision.decided_at else ""
    return f"*{decision.verb}* by {decider(decision)}{when}"


def cancellation_summary(cancellation: RecordedCancellation) -> str:
    """"*Cancelled* by <@U1> at <date>"."""
    when = f" at {slack_date(cancellation.cancelled_at)}" if cancellation.cancelled_at else ""
    return f"*Cancelled* by {canceller(cancellation)}{when}"
