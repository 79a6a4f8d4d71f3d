"""What people would see in Slack, rebuilt from the calls the recording fake received.

Real Slack applies both ``chat.update`` and a ``response_url`` post with ``replace_original`` to
the message they target, whichever arrives last winning. The fake stores only chat.update, so the
visible state of a message is rebuilt here by replaying both kinds of call in arrival order.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from testkit.blockkit import all_text, buttons
from testkit.slack_api import Call, FakeSlackApi

OPEN, APPROVED, DENIED, ESCALATED, CANCELLED, UNKNOWN = (
    "Open", "Approved", "Denied", "Escalated", "Cancelled", "Unknown")


@dataclass
class Visible:
    text: str
    blocks: list[dict[str, Any]]

    @property
    def outcome(self) -> str:
        return outcome_of_text(self.text)

    @property
    def has_buttons(self) -> bool:
        return bool(buttons(self.blocks))


def outcome_of_text(text: str) -> str:
    """The outcome a request message's fallback text announces."""
    if text.startswith("Approval needed"):
        return OPEN
    if text.startswith("Approved by"):
        return APPROVED
    if text.startswith("Denied by"):
        return DENIED
    if text.startswith("Expired and escalated"):
        return ESCALATED
    if text.startswith("Cancelled by"):
        return CANCELLED
    return UNKNOWN


def _blocks(args: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def visible_messages(fake: FakeSlackApi, hook_targets: dict[str, tuple[str, str]] | None = None
                     ) -> dict[tuple[str, str], Visible]:
    """(channel, ts) -> what the message shows now. ``hook_targets`` maps a response_url path
    (``/hooks/<name>``) to the (channel, ts) of the message whose button was clicked."""
    hook_targets = hook_targets or {}
    posted = {(m.channel, m.ts) for m in fake.messages.values()}
    shown: dict[tuple[str, str], Visible] = {}
    for call in list(fake.calls):
        key = _target(call, hook_targets)
        if key is None:
            continue
        if call.method == "chat.postMessage" and call.ok:
            continue  # the ts is only known from the fake's store; seeded below
        shown[key] = Visible(str(call.args.get("text", "")), _blocks(call.args))
    for message in fake.messages.values():
        shown.setdefault((message.channel, message.ts), Visible(message.text, message.blocks))
    # Messages never updated still show what was posted.
    for key in posted:
        if key not in shown:
            stored = fake.messages[key]
            shown[key] = Visible(stored.text, stored.blocks)
    return shown


def _target(call: Call, hook_targets: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    if call.method == "chat.update" and call.ok:
        return str(call.args.get("channel", "")), str(call.args.get("ts", ""))
    if call.method == "response_url" and str(call.args.get("replace_original", "")).lower() == "true":
        return hook_targets.get(call.path)
    return None


def told(fake: FakeSlackApi, hook_path: str) -> list[dict[str, Any]]:
    """Everything posted to one response_url, in order."""
    return [call.args for call in fake.calls_to("response_url") if call.path == hook_path]


def approval_ids(blocks: list[dict[str, Any]]) -> set[str]:
    """The approval ids a message names (each request, notice and escalation has one in its footer)."""
    return set(re.findall(r"approval-[0-9a-f]{32}", all_text(blocks)))


def posts_per_approval(fake: FakeSlackApi, channel: str) -> Counter[str]:
    """approval id -> how many messages in ``channel`` name it. Counted from what Slack holds,
    so a post whose answer was lost (the caller killed or timed out) counts too."""
    return Counter(approval_id for message in fake.messages_in(channel) for approval_id in approval_ids(message.blocks))


def requester_notices(fake: FakeSlackApi) -> Counter[str]:
    """approval id -> how many direct messages (channels ``D...``) name it."""
    return Counter(approval_id for (channel, _), message in fake.messages.items() if channel.startswith("D")
                   for approval_id in approval_ids(message.blocks))
