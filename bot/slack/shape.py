"""Payload shapes Slack never sends, recognised before Bolt's matchers index into them.

Bolt's listener matchers read keys such as ``view.type`` directly; a signed but malformed body
would become a 500. The endpoint answers those with a 400 instead, after checking the signature.
"""

from __future__ import annotations

from typing import Any


def malformed_reason(body: Any) -> str | None:
    """Why a request's body cannot be a Slack command, interaction or event (None when it can).

    Bolt's matchers index into the payload and turn missing keys into a 500; shapes Slack never
    sends are answered 400 here instead.
    """
    if not isinstance(body, dict) or not body:
        return "empty or unreadable body"
    if "command" in body:
        missing = [key for key in ("command", "user_id", "team_id") if not isinstance(body.get(key), str)]
        return f"slash command without {', '.join(missing)}" if missing else None
    kind = body.get("type")
    if not isinstance(kind, str):
        return "interaction payload without a type"
    if kind == "url_verification":
        return None if isinstance(body.get("challenge"), str) else "url_verification without a challenge"
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event_callback without event.type"
        return None
    if not isinstance(body.get("user"), dict) or not isinstance(body["user"].get("id"), str):
        return "interaction payload without user.id"
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions or not all(isinstance(a, dict) for a in actions):
            return "block_actions payload without actions"
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("type"), str):
            return f"{kind} payload without view.type"
        if not isinstance(view.get("callback_id"), str):
            return f"{kind} payload without view.callback_id"
    return None
