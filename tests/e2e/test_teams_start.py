"""Asking for approval in Teams: `expense 120 Team lunch`, the form, mentions, mistakes."""

from __future__ import annotations

import json

from testkit.teams_harness import (
    APPROVALS,
    OUTSIDER,
    REQUESTER,
    approval_id_in,
    card_text,
    teams_devhost,
    verbs,
)


async def test_a_one_line_request_starts_the_workflow_and_is_posted_to_the_approvers() -> None:
    async with teams_devhost() as teams:
        started = await teams.start_by_text("expense 120 Team lunch")

        status = await teams.host.get_status(started.instance_id)
        assert status is not None
        request = json.loads(status["input"])
        assert request["amount"] == 120.0 and request["description"] == "Team lunch"
        assert request["requesterAccount"] == {"platform": "teams", "id": REQUESTER["id"], "name": "Alice"}
        assert request["origin"] == "teams" and request["frontEnds"] == ["teams"]

        assert started.card.conversation_id == APPROVALS
        shown = card_text(started.card.card)
        assert "$120.00" in shown and "Team lunch" in shown and "Alice" in shown
        assert verbs(started.card.card) == ["approve", "deny"]

        [confirmation] = teams.replies_to(REQUESTER)
        assert started.approval_id in card_text(confirmation.card)


async def test_expense_alone_answers_with_the_form_and_a_filled_form_starts_a_request() -> None:
    async with teams_devhost() as teams:
        await teams.say("expense")
        [form] = teams.replies_to(REQUESTER)
        assert verbs(form.card) == ["newExpense"]
        assert {e.get("id") for e in form.card["body"]} >= {"amount", "description", "deadline"}

        answer = await teams.click("newExpense", {"amount": "$1,250.50", "description": "Conference hotel",
                                                  "deadline": "86400"}, REQUESTER)
        card = answer.json()["value"]
        approval_id = approval_id_in(json.dumps(card))
        instance_id = approval_id.removeprefix("approval-")
        status = await teams.wait_until_waiting(instance_id)
        request = json.loads(status["input"])
        assert request["amount"] == 1250.5 and request["timeoutSeconds"] == 86400


async def test_a_form_with_mistakes_comes_back_with_each_mistake_under_its_field_and_starts_nothing() -> None:
    async with teams_devhost() as teams:
        answer = await teams.click("newExpense", {"amount": "12 EUR", "description": "  ", "deadline": "5"},
                                   REQUESTER)
        assert answer.status == 200
        card = answer.json()["value"]
        shown = card_text(card)
        assert "US dollars" in shown and "Say what the expense is for." in shown
        assert "Pick one of the listed deadlines." in shown
        assert [e.get("value") for e in card["body"] if e.get("id") == "amount"] == ["12 EUR"]
        assert teams.fake.in_conversation(APPROVALS) == []


async def test_bad_text_gets_a_readable_answer_and_starts_nothing() -> None:
    async with teams_devhost() as teams:
        for text in ("expense lunch", "expense -5 refund", "expense 120", "hello"):
            answer = await teams.say(text)
            assert answer.status in (200, 202), answer.text
        answers = [reply.text for reply in teams.replies_to(REQUESTER)]
        assert "“lunch” is not an amount" in answers[0]
        assert "more than zero" in answers[1]
        assert "what the expense is for" in answers[2]
        assert "expense 120 Team lunch" in answers[3]
        assert teams.fake.in_conversation(APPROVALS) == []


async def test_in_a_channel_the_bot_answers_mentions_only_and_mistakes_privately() -> None:
    async with teams_devhost() as teams:
        await teams.say_in_channel("expense 50 Taxi", OUTSIDER, mention=False)
        assert teams.fake.posted == []

        await teams.say_in_channel("expense fifty Taxi", OUTSIDER)
        [private] = teams.replies_to(OUTSIDER)
        assert "not an amount" in private.text
        assert [call.body["members"][0]["id"] for call in teams.fake.calls_of("create")] == [OUTSIDER["id"]]

        await teams.say_in_channel("expense 50 Taxi", OUTSIDER)
        confirmation = teams.replies_to(OUTSIDER)[-1]
        instance_id = approval_id_in(json.dumps(confirmation.latest)).removeprefix("approval-")
        status = await teams.wait_until_waiting(instance_id)
        assert json.loads(status["input"])["requesterAccount"]["id"] == OUTSIDER["id"]
