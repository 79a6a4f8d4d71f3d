"""A modal's state.values from what the person typed, with the checks Slack's client makes.

Slack never sends a submission whose required fields are empty or whose number inputs are
not numbers; it shows the error under the field instead. We do the same, then build
state.values keyed {block_id: {action_id: {...}}} exactly as Slack sends it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

REQUIRED = "Please complete this required field."


class ViewInputError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def state_values(view: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for block in view.get("blocks") or []:
        if block.get("type") != "input" or not isinstance(block.get("element"), dict):
            continue
        block_id, element = block["block_id"], block["element"]
        raw = inputs.get(block_id)
        raw = None if raw is None else str(raw)
        try:
            state = _element_state(element, raw)
        except ValueError as error:
            errors[block_id] = str(error)
            continue
        if _is_empty(state) and not block.get("optional", False):
            errors[block_id] = REQUIRED
            continue
        values[block_id] = {element["action_id"]: state}
    if errors:
        raise ViewInputError(errors)
    return values


def _is_empty(state: dict[str, Any]) -> bool:
    return state.get("value") in (None, "") and state.get("selected_option") is None


def _element_state(element: dict[str, Any], raw: str | None) -> dict[str, Any]:
    kind = element.get("type")
    if kind == "static_select":
        options = list(element.get("options") or [])
        for group in element.get("option_groups") or []:
            options.extend(group.get("options") or [])
        if not raw:
            return {"type": kind, "selected_option": None}
        chosen = next((o for o in options if o.get("value") == raw), None)
        if chosen is None:
            raise ValueError("Please choose one of the options.")
        return {"type": kind, "selected_option": chosen}
    if kind == "number_input":
        return {"type": kind, "value": _number(element, raw)}
    text = raw if raw else None
    if text is not None and kind == "plain_text_input":
        min_length, max_length = element.get("min_length"), element.get("max_length")
        if min_length and len(text) < int(min_length):
            raise ValueError(f"Please enter at least {min_length} characters.")
        if max_length and len(text) > int(max_length):
            raise ValueError(f"Please enter no more than {max_length} characters.")
    return {"type": kind or "plain_text_input", "value": text}


def _number(element: dict[str, Any], raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("Please enter a number.") from None
    if not number.is_finite():
        raise ValueError("Please enter a number.")
    if not element.get("is_decimal_allowed") and number != number.to_integral_value():
        raise ValueError("Please enter a whole number.")
    low, high = element.get("min_value"), element.get("max_value")
    if low is not None and number < Decimal(str(low)):
        raise ValueError(f"Please enter a number of at least {low}.")
    if high is not None and number > Decimal(str(high)):
        raise ValueError(f"Please enter a number no more than {high}.")
    return text
