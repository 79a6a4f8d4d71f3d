"""Block Kit checks: reject what Slack rejects, with Slack's kind of reason.

slack_sdk's models carry Slack's limits; we parse each block with them and add the few
rules the models do not check (block counts, unique ids, button styles, empty actions).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
MESSAGE_TEXT_MAX = 40_000
UPDATE_TEXT_MAX = 4_000  # chat.update refuses longer text (chat.postMessage truncates at 40,000)
# Slack refuses a message whose blocks carry more text than this in all (msg_blocks_too_long); the
# limit is not documented, Slack's SDK maintainers speak of 12,000 characters plus room for the
# block containers, and apps measure the refusal at about 13,200.
MESSAGE_BLOCKS_TEXT_MAX = 13_200
BUTTON_STYLES = {"primary", "danger"}
INTERACTIVE_CONTAINERS = {"actions": "elements", "context": "elements"}

# slack_sdk warns about unknown keys while parsing; the sandbox reports problems itself.
logging.getLogger("slack_sdk.models").setLevel(logging.ERROR)


class BlockKitError(ValueError):
    """A Block Kit violation; `pointer` is a JSON pointer like Slack's error messages carry."""

    def __init__(self, reason: str, pointer: str) -> None:
        super().__init__(f"{reason} [json-pointer:{pointer}]")
        self.reason = reason
        self.pointer = pointer


def check_blocks(blocks: Any, *, limit: int = MESSAGE_BLOCKS_MAX, pointer: str = "/blocks") -> list[dict[str, Any]]:
    """Validate a list of block dicts; returns it unchanged or raises BlockKitError."""
    if not isinstance(blocks, list):
        raise BlockKitError("must be an array", pointer)
    if len(blocks) > limit:
        raise BlockKitError(f"no more than {limit} items allowed", pointer)
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        _check_block(block, where)
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in seen_ids:
                raise BlockKitError(f"duplicate block_id {block_id!r}", f"{where}/block_id")
            seen_ids.add(block_id)
    return blocks


def check_view(view: Any) -> dict[str, Any]:
    """Validate a modal view dict (slack_sdk's View rules plus its blocks)."""
    if not isinstance(view, dict):
        raise BlockKitError("must be an object", "/view")
    if view.get("type") != "modal":
        raise BlockKitError("type must be \"modal\"", "/view/type")
    if not isinstance(view.get("title"), dict):
        raise BlockKitError("title is required", "/view/title")
    for key in ("title", "submit", "close"):
        if key in view and view[key] is not None:
            if not isinstance(view[key], dict):
                raise BlockKitError("expected a text object", f"/view/{key}")
            _check_shape(view[key], f"/view/{key}")
    for key in ("private_metadata", "callback_id", "external_id"):
        if key in view and not isinstance(view[key], str):
            raise BlockKitError(f"{key} must be a string", f"/view/{key}")
    blocks = check_blocks(view.get("blocks"), limit=VIEW_BLOCKS_MAX, pointer="/view/blocks")
    try:
        View(**view).validate_json()
    except SlackObjectFormationError as error:
        raise BlockKitError(str(error), "/view") from None
    except Exception as error:  # slack_sdk trips over shapes Slack would also refuse
        raise BlockKitError(f"malformed view: {error}", "/view") from None
    if any(b.get("type") == "input" for b in blocks) and not isinstance(view.get("submit"), dict):
        raise BlockKitError("submit is required when a view has input blocks", "/view/submit")
    return view


def check_home_view(view: Any) -> dict[str, Any]:
    """Validate an App Home view (views.publish): type "home", at most 100 valid blocks."""
    if not isinstance(view, dict):
        raise BlockKitError("must be an object", "/view")
    if view.get("type") != "home":
        raise BlockKitError("type must be \"home\"", "/view/type")
    for key in ("private_metadata", "callback_id", "external_id"):
        if key in view and not isinstance(view[key], str):
            raise BlockKitError(f"{key} must be a string", f"/view/{key}")
    check_blocks(view.get("blocks"), limit=VIEW_BLOCKS_MAX, pointer="/view/blocks")
    try:
        View(**view).validate_json()
    except SlackObjectFormationError as error:
        raise BlockKitError(str(error), "/view") from None
    except Exception as error:  # slack_sdk trips over shapes Slack would also refuse
        raise BlockKitError(f"malformed view: {error}", "/view") from None
    return view


def _check_block(block: Any, where: str) -> None:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        raise BlockKitError("must be an object with a type", where)
    _check_shape(block, where)
    try:
        parsed = Block.parse(block)
        if parsed is None or type(parsed) is Block:
            raise BlockKitError(f"unsupported block type {block['type']!r}", f"{where}/type")
        parsed.validate_json()
        if block["type"] == "actions":
            _check_actions(block, where)
    except BlockKitError:
        raise
    except SlackObjectFormationError as error:
        raise BlockKitError(str(error), where) from None
    except Exception as error:  # slack_sdk trips over shapes Slack would also refuse
        raise BlockKitError(f"malformed {block['type']} block: {error}", where) from None


TEXT_TYPES = {"plain_text", "mrkdwn"}
LIST_KEYS = {"fields", "elements", "options", "option_groups"}
OBJECT_KEYS = {"text", "label", "element", "accessory", "hint", "title", "placeholder", "confirm",
               "initial_option", "description", "deny"}
STRING_KEYS = {"type", "block_id", "action_id", "value", "url", "style", "image_url", "alt_text",
               "initial_value"}


def _check_shape(node: dict[str, Any], where: str) -> None:
    """Lists where Slack wants lists, objects where it wants objects, strings where strings."""
    is_text_object = isinstance(node.get("type"), str) and node["type"] in TEXT_TYPES
    for key, value in node.items():
        at = f"{where}/{key}"
        if is_text_object and key == "text":
            if not isinstance(value, str):
                raise BlockKitError("text must be a string", at)
        elif key in STRING_KEYS:
            if not isinstance(value, str):
                raise BlockKitError(f"{key} must be a string", at)
        elif key in OBJECT_KEYS:
            if not isinstance(value, dict):
                raise BlockKitError("expected an object" if key != "text" else "expected a text object", at)
            _check_shape(value, at)
        elif key in LIST_KEYS:
            if not isinstance(value, list):
                raise BlockKitError("expected an array", at)
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    raise BlockKitError("expected an object", f"{at}/{index}")
                _check_shape(item, f"{at}/{index}")


def _check_actions(block: dict[str, Any], where: str) -> None:
    elements = block.get("elements") or []
    if not 1 <= len(elements) <= 25:
        raise BlockKitError("actions must hold between 1 and 25 elements", f"{where}/elements")
    action_ids: set[str] = set()
    for index, element in enumerate(elements):
        at = f"{where}/elements/{index}"
        style = element.get("style")
        if style is not None and style not in BUTTON_STYLES:
            raise BlockKitError("style must be \"primary\" or \"danger\"", f"{at}/style")
        action_id = element.get("action_id")
        if action_id is not None:
            if action_id in action_ids:
                raise BlockKitError(f"duplicate action_id {action_id!r}", f"{at}/action_id")
            action_ids.add(action_id)


def with_block_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Slack gives every block (and interactive element) an id when the app did not."""
    out = []
    for block in blocks:
        block = dict(block)
        block.setdefault("block_id", secrets.token_urlsafe(4))
        if isinstance(block.get("elements"), list) and block["type"] == "actions":
            block["elements"] = [
                {**element, "action_id": element.get("action_id") or secrets.token_urlsafe(4)}
                for element in block["elements"]]
        if block["type"] == "input" and isinstance(block.get("element"), dict):
            block["element"] = {**block["element"],
                                "action_id": block["element"].get("action_id") or secrets.token_urlsafe(4)}
        out.append(block)
    return out


def with_view_ids(view: dict[str, Any]) -> dict[str, Any]:
    return {**view, "blocks": with_block_ids(view.get("blocks") or [])}


def blocks_text_length(value: Any) -> int:
    """All the text a list of blocks carries: every "text" string, at any depth."""
    if isinstance(value, list):
        return sum(blocks_text_length(item) for item in value)
    if isinstance(value, dict):
        return sum(len(v) if k == "text" and isinstance(v, str) else blocks_text_length(v) for k, v in value.items())
    return 0
