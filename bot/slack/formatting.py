"""Small mrkdwn helpers: escaping, mentions, money, and Slack's reader-local date formatting."""

from __future__ import annotations

from datetime import datetime, timezone


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def person(slack_user_id: str | None, fallback: str) -> str:
    """A mention when we know the Slack user, else the escaped name or email."""
    return f"<@{slack_user_id}>" if slack_user_id else escape(fallback)


def money(amount: float | None) -> str:
    return "not given" if amount is None else f"${amount:,.2f}"


def slack_date(moment: datetime) -> str:
    """`<!date^...>`: each reader sees the time in their own timezone; the fallback is UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    fallback = moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def truncate(text: str, limit: int) -> str:
    """Keep text within a Block Kit length limit."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
