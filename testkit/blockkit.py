"""Helpers that check Block Kit JSON with slack_sdk's own models."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View


def assert_valid_blocks(blocks: list[dict[str, Any]]) -> None:
    """Each block parses back into a slack_sdk model whose validated to_dict() is the same JSON."""
    assert 0 < len(blocks) <= 50
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None and parsed.to_dict() == block


def assert_valid_view(view: dict[str, Any]) -> None:
    assert View(**view).to_dict() == view
    assert len(view["blocks"]) <= 100


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [element for block in blocks if block["type"] == "actions" for element in block["elements"]]


def all_text(blocks: list[dict[str, Any]]) -> str:
    """Every mrkdwn/plain text in the blocks, joined (for "does it say X" checks)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(found)


def assert_everything_sent_is_valid(calls: list[Any]) -> int:
    """Every message, update, modal and response_url payload the app sent (recorded by the fake
    Slack API) passes slack_sdk's models. Returns how many were checked."""
    import json

    checked = 0
    for call in calls:
        args = call.args
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if call.method in ("chat.postMessage", "chat.update") or (call.method == "response_url" and blocks):
            assert blocks, f"{call.method} without blocks: {args}"
            assert args.get("text"), f"{call.method} without fallback text"
            assert_valid_blocks(blocks)
            checked += 1
        if call.method in ("views.open", "views.update", "views.push", "views.publish"):
            view = args["view"]
            assert_valid_view(json.loads(view) if isinstance(view, str) else view)
            checked += 1
    return checked
