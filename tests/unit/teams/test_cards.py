"""Adaptive Cards: what each reader sees, buttons only where a decision can still be made,
typed text never read as markdown."""

import dataclasses
from datetime import UTC, datetime

from bot.approvals import ApprovalRequest, RecordedCancellation, RecordedDecision
from bot.people import Person
from bot.teams import cards

ALICE = Person("teams", "29:alice", "Alice")
BOB = Person("teams", "29:bob", "Bob")
REQUEST = ApprovalRequest(amount=1250.5, requester="Alice", requester_account=ALICE,
                          description="[click me](https://evil.example) **now**", origin="teams",
                          front_ends=("teams",))
DEADLINE = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
DECIDED = RecordedDecision(approved=False, approver="Bob", comments="Too *much*",
                           decided_at=DEADLINE, decided_by=BOB, via="teams")


def texts(card: dict) -> list[str]:
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            found.extend(v for k, v in node.items() if k in ("text", "title", "value") and isinstance(v, str))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card)
    return found


def text_runs(card: dict) -> list[str]:
    return [inline["text"] for block in card["body"] if block.get("type") == "RichTextBlock"
            for inline in block["inlines"]]


def test_the_request_card_has_approve_and_deny_and_the_deadline_in_the_readers_timezone() -> None:
    card = cards.request_card("approval-abc", REQUEST, DEADLINE)
    assert card["version"] == "1.4" and card["type"] == "AdaptiveCard"
    assert [(a["type"], a["verb"], a["data"]) for a in card["actions"]] == [
        ("Action.Execute", "approve", {"approvalId": "approval-abc"}),
        ("Action.Execute", "deny", {"approvalId": "approval-abc"}),
    ]
    shown = texts(card)
    assert "Expense approval: $1,250.50" in shown
    assert "Decide by {{DATE(2026-11-30T10:00:00Z, SHORT)}} {{TIME(2026-11-30T10:00:00Z)}}" in shown


def test_typed_text_is_a_text_run_never_markdown() -> None:
    card = cards.request_card("approval-abc", REQUEST, DEADLINE)
    assert REQUEST.description in text_runs(card)
    assert not any(REQUEST.description in t for b in card["body"] if b.get("type") == "TextBlock"
                   for t in [b["text"]])
    [requester] = [f["value"] for b in card["body"] if b.get("type") == "FactSet" for f in b["facts"]
                   if f["title"] == "Requested by"]
    assert requester == "Alice"
    sneaky = ApprovalRequest(requester="[x](y)", description="d")
    [value] = [f["value"] for b in cards.request_card("approval-1", sneaky, None)["body"]
               if b.get("type") == "FactSet" for f in b["facts"] if f["title"] == "Requested by"]
    assert "[x](y)" not in value and value.replace("\u200b", "") == "[x](y)"


def test_a_decided_card_has_no_buttons_and_says_who_when_and_why() -> None:
    card = cards.decided_card("approval-abc", REQUEST, DECIDED)
    assert "actions" not in card
    assert "Denied by Bob" in text_runs(card) and "Too *much*" in text_runs(card)
    assert "on {{DATE(2026-11-30T10:00:00Z, SHORT)}} {{TIME(2026-11-30T10:00:00Z)}}" in texts(card)


def test_the_deny_form_requires_a_reason() -> None:
    card = cards.deny_reason_card("approval-abc", REQUEST, DEADLINE, "Give a reason for denying.")
    [reason] = [b for b in card["body"] if b.get("id") == "reason"]
    assert reason["isRequired"] is True and reason["type"] == "Input.Text"
    assert [a["verb"] for a in card["actions"]] == ["denyWithReason", "back"]
    assert "Give a reason for denying." in text_runs(card)


def test_expired_and_escalation_cards_link_to_the_original() -> None:
    assert "actions" not in cards.expired_card("approval-abc", REQUEST, DEADLINE)
    card = cards.escalation_card("approval-abc", REQUEST, DEADLINE, "No response", "https://teams.example/l/1")
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open the original request",
                                "url": "https://teams.example/l/1"}]


def test_the_form_shows_values_and_errors_under_their_fields() -> None:
    card = cards.new_request_form({"amount": "12 EUR"}, {"amount": "Amounts are in US dollars"})
    ids = [b.get("id") or b["type"] for b in card["body"]]
    assert ids[1:3] == ["amount", "RichTextBlock"]
    assert card["body"][1]["value"] == "12 EUR"
    [deadline] = [b for b in card["body"] if b.get("id") == "deadline"]
    assert deadline["value"] == "600" and len(deadline["choices"]) == 4


def test_the_request_card_is_refreshed_for_at_most_sixty_listed_approvers() -> None:
    approvers = {f"29:approver-{n:03d}" for n in range(75)}
    refresh = cards.request_card("approval-abc", REQUEST, DEADLINE, watchers=approvers)["refresh"]
    assert refresh["action"] == {"type": "Action.Execute", "title": "Refresh", "verb": "refresh",
                                 "data": {"approvalId": "approval-abc"}}
    assert refresh["userIds"] == sorted(approvers)[:60]


def test_without_an_approver_list_teams_decides_who_gets_the_refresh() -> None:
    refresh = cards.request_card("approval-abc", REQUEST, DEADLINE)["refresh"]
    assert "userIds" not in refresh  # everyone, in conversations of up to 60 members


def test_settled_cards_ask_for_no_refresh() -> None:
    assert "refresh" not in cards.decided_card("approval-abc", REQUEST, DECIDED)
    assert "refresh" not in cards.expired_card("approval-abc", REQUEST, DEADLINE)


def test_the_requesters_confirmation_has_cancel_request() -> None:
    card = cards.started_card("approval-abc", REQUEST, DEADLINE)
    assert [(a["type"], a["verb"], a["data"], a["title"]) for a in card["actions"]] == [
        ("Action.Execute", "cancelRequest", {"approvalId": "approval-abc"}, "Cancel request")]


def test_a_cancelled_card_and_notice_have_no_decision_buttons_and_say_who_cancelled() -> None:
    cancellation = RecordedCancellation("Alice", "[no](https://evil.example)", DEADLINE, ALICE, "teams")
    card = cards.cancelled_card("approval-abc", REQUEST, cancellation)
    assert "actions" not in card
    assert "Cancelled by Alice" in text_runs(card) and "[no](https://evil.example)" in text_runs(card)
    notice = cards.cancelled_notice("approval-abc", REQUEST, cancellation, "https://teams/link")
    assert [a["type"] for a in notice["actions"]] == ["Action.OpenUrl"]


def test_the_request_and_deny_cards_show_the_month_to_date_when_it_is_known() -> None:
    known = dataclasses.replace(REQUEST, month_to_date=980)
    line = "Month to date: $980.00 approved for this requester"
    assert line in texts(cards.request_card("approval-abc", known, DEADLINE))
    assert line in texts(cards.deny_reason_card("approval-abc", known, DEADLINE))
    assert not any("Month to date" in text for text in texts(cards.request_card("approval-abc", REQUEST, DEADLINE)))
