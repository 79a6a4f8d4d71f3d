"""The Teams `list` card: typed text stays plain text, buttons carry the approval id, lists are cut."""

import json

from azure.durable_functions.models.DurableOrchestrationStatus import DurableOrchestrationStatus

from bot.approvals import ApprovalRequest
from bot.people import Person
from bot.teams.my_list import MAX_WAITING_SHOWN, my_approvals_card, wants_list
from bot.workflow.my_approvals import MyApprovals
from bot.workflow.state import classify

ALICE = Person("teams", "29:alice", "Alice")


def state(n: int, output=None, runtime="Running"):
    request = ApprovalRequest(amount=10.0 + n, requester="Alice", requester_account=ALICE,
                              description=f"[click](https://evil.example) item {n}", origin="teams",
                              front_ends=("teams",)).to_input()
    custom = {"stage": "waiting_for_approval", "approvalId": f"approval-i{n}", "deadline": "2026-12-01T10:00:00Z"}
    return classify(DurableOrchestrationStatus.from_json({
        "name": "approval_workflow", "instanceId": f"i{n}", "runtimeStatus": runtime, "input": json.dumps(request),
        "customStatus": custom, "output": output, "createdTime": "2026-12-01T09:00:00Z",
        "lastUpdatedTime": "2026-12-01T09:00:00Z"}))


def test_the_word_list_in_any_case_asks_for_the_card() -> None:
    assert wants_list(" LIST ") and wants_list("/list") and not wants_list("list all")


def test_waiting_requests_get_buttons_and_typed_text_stays_plain() -> None:
    card = my_approvals_card(MyApprovals([state(n) for n in range(MAX_WAITING_SHOWN + 2)], [], True))
    containers = [b for b in card["body"] if b["type"] == "Container"]
    assert len(containers) == MAX_WAITING_SHOWN
    first = containers[0]["items"]
    assert first[1] == {"type": "RichTextBlock", "inlines": [
        {"type": "TextRun", "text": "[click](https://evil.example) item 0 (from Alice)"}]}
    assert [a["data"] for a in first[-1]["actions"]] == [{"approvalId": "approval-i0"}] * 2
    assert "…and 2 more, due later." in json.dumps(card, ensure_ascii=False)


def test_an_outcome_this_version_does_not_know_is_shown_by_name() -> None:
    unknown = state(1, output={"status": "Recalled", "recalledAt": "2026-12-01T09:30:00Z"}, runtime="Completed")
    card = my_approvals_card(MyApprovals([], [unknown], False))
    assert "Waiting for you" not in json.dumps(card)
    assert {"type": "TextRun", "text": "Recalled"} in card["body"][-1]["items"][1]["inlines"]
