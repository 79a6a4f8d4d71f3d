"""An approval policy in Teams (the real app on devhost, the fake Bot Connector): two stages in
order with the stage note and a reminder as replies to the request, and senior management
deciding an escalation on its card."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from testkit.teams_harness import APPROVALS, APPROVER, ESCALATIONS, OTHER_APPROVER, card_text, teams_devhost, verbs

SENIOR = {"id": "29:dana", "name": "Dana"}
POLICY = f"""\
tiers:
  - name: finance
    stages:
      - {{name: manager, approvers: {{teams: ["{APPROVER['id']}"]}}, deadline: 10m}}
      - {{name: finance, approvers: {{teams: ["{OTHER_APPROVER['id']}"]}}, deadline: 10m}}
    reminders: [50%]
    senior: {{approvers: {{teams: ["{SENIOR['id']}"]}}, deadline: 1h}}
"""


def policy_env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "policy.yaml").write_text(POLICY)
    return {"APPROVAL_POLICY_FILE": str(tmp_path / "policy.yaml")}


async def test_two_stages_with_the_stage_note_and_a_reminder_as_replies(tmp_path: Path) -> None:
    async with teams_devhost(env=policy_env(tmp_path)) as teams:
        started = await teams.start_by_text("expense 1500 Laptops")
        assert "manager: waiting" in card_text(started.card.card)

        refused = await teams.click_card("approve", started, OTHER_APPROVER)
        assert "waiting for the manager approval" in card_text(refused)

        shown = await teams.click_card("approve", started, APPROVER)
        assert "the request now waits for the finance stage" in card_text(shown)
        await teams.host.wait_for_custom_status(started.instance_id, lambda s: s.get("policyStage") == 1)
        thread = f"{APPROVALS};messageid={started.card.activity_id}"
        await teams.host.settle()  # work in flight done first: the clock moves from a quiet host
        await teams.host.advance(timedelta(minutes=6))
        await teams.host.wait_for_custom_status(started.instance_id, lambda s: len(teams.fake.in_conversation(thread)) >= 2)
        texts = [card_text(post.card) for post in teams.fake.in_conversation(thread)]
        assert "Stage finance now needs a decision" in texts[0] and "Reminder 1" in texts[1]

        await teams.click_card("approve", started, OTHER_APPROVER)
        done = await teams.host.wait_for_status(started.instance_id, "Completed")
        assert [s["stage"] for s in done["output"]["stages"]] == ["manager", "finance"]
        assert verbs(started.card.card) == [] and "finance: Approved by" in card_text(started.card.card)


async def test_senior_management_decides_on_the_escalation_card(tmp_path: Path) -> None:
    async with teams_devhost(env=policy_env(tmp_path)) as teams:
        started = await teams.start_by_text("expense 9000 Servers")
        await teams.host.settle()  # work in flight done first: the clock moves from a quiet host
        await teams.host.advance(timedelta(minutes=11))
        await teams.host.wait_for_custom_status(started.instance_id, lambda s: bool(s.get("escalations")))
        [escalation] = teams.fake.in_conversation(ESCALATIONS)
        assert verbs(escalation.card)[:2] == ["approve", "deny"]
        answer = await teams.click("approve", {"approvalId": started.approval_id}, SENIOR, card=escalation)
        assert answer.status == 200, answer.text
        done = await teams.host.wait_for_status(started.instance_id, "Completed")
        assert done["output"]["status"] == "Approved" and done["output"]["decidedAfterEscalation"] is True
        await teams.host.wait_for_custom_status(started.instance_id, lambda s: verbs(escalation.card) == [])
        assert "after escalation" in card_text(escalation.card)
