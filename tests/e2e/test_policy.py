"""An approval policy on the real app (devhost, virtual clock, fake Slack): routing by amount to
the tier's channel, two stages in order, reminders in the thread that stop at a decision, senior
management deciding an escalation, and an invalid policy stopping the app."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import aiohttp

from testkit.blockkit import all_text, buttons
from testkit.slack_harness import (
    APPROVAL_CHANNEL,
    APPROVER,
    ESCALATION_CHANNEL,
    OTHER_APPROVER,
    REQUESTER,
    SlackHarness,
    slack_devhost,
)
from testkit.slack_requests import text_value

ROOT = Path(__file__).resolve().parents[2]
FINANCE_CHANNEL = "CFINANCE"
SENIOR = "USENIOR"
POLICY = f"""\
name: e2e
tiers:
  - name: team
    stages:
      - name: manager
        approvers: {{slack: [{APPROVER}]}}
        deadline: 10m
  - name: finance
    over: 1000
    channel: {{slack: {FINANCE_CHANNEL}}}
    stages:
      - name: manager
        approvers: {{slack: [{APPROVER}]}}
        deadline: 10m
      - name: finance
        approvers: {{slack: [{OTHER_APPROVER}]}}
        deadline: 20m
    reminders: [50%]
  - name: board
    over: 100000
    stages:
      - name: manager
        approvers: {{slack: [{APPROVER}]}}
        deadline: 10m
    senior:
      approvers: {{slack: [{SENIOR}]}}
      deadline: 1h
      on_timeout: ON_TIMEOUT
"""


def policy_env(tmp_path: Path, on_timeout: str = "escalate") -> dict[str, str]:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY.replace("ON_TIMEOUT", on_timeout))
    return {"APPROVAL_POLICY_FILE": str(path)}


def ephemeral_texts(slack: SlackHarness) -> list[str]:
    return [call.args.get("text", "") for call in slack.fake.calls_to("response_url")
            if call.args.get("response_type") == "ephemeral"]


async def stage_of(slack: SlackHarness, instance_id: str, index: int) -> dict:
    return await slack.host.wait_for_custom_status(
        instance_id, lambda s: isinstance(s, dict) and s.get("policyStage") == index
        and s.get("stage") == "waiting_for_approval")


async def test_two_stages_in_order_in_the_tiers_channel_with_a_reminder(tmp_path: Path) -> None:
    async with slack_devhost(env=policy_env(tmp_path)) as slack:
        started = await slack.start_by_text("5000 Laptops")
        assert started.message.channel == FINANCE_CHANNEL
        assert "over $1,000: finance" in all_text(started.message.blocks)

        await slack.click("approve_request", started.approval_id, user_id=OTHER_APPROVER, message=started.message)
        assert any("waiting for the manager approval" in text for text in ephemeral_texts(slack))

        await slack.click("approve_request", started.approval_id, user_id=APPROVER, message=started.message)
        status = await stage_of(slack, started.instance_id, 1)
        assert [s["stage"] for s in status["customStatus"]["stagesDone"]] == ["manager"]
        await slack.fake.wait_for(lambda fake: len(slack.fake.replies_to(FINANCE_CHANNEL, started.message.ts)) == 1)
        card = slack.fake.message(FINANCE_CHANNEL, started.message.ts)
        assert "*finance*: waiting for" in all_text(card.blocks) and buttons(card.blocks)

        await slack.click("approve_request", started.approval_id, user_id=APPROVER, message=card)
        assert any("waiting for the finance approval" in text for text in ephemeral_texts(slack))

        await slack.host.settle()  # work in flight done first: the clock moves from a quiet host
        await slack.host.advance(timedelta(minutes=11))  # past half of finance's 20 minutes
        await slack.fake.wait_for(lambda fake: len(slack.fake.replies_to(FINANCE_CHANNEL, started.message.ts)) == 2)
        reminder = slack.fake.replies_to(FINANCE_CHANNEL, started.message.ts)[-1]
        assert f"<@{OTHER_APPROVER}>" in all_text(reminder.blocks) and "Reminder 1" in all_text(reminder.blocks)

        await slack.click("approve_request", started.approval_id, user_id=OTHER_APPROVER, message=card)
        done = await slack.host.wait_for_status(started.instance_id, "Completed")
        output = done["output"]
        assert output["status"] == "Approved" and output["policy"]["tier"] == "finance"
        assert [(s["stage"], s["decidedBy"]["id"]) for s in output["stages"]] == \
            [("manager", APPROVER), ("finance", OTHER_APPROVER)]
        assert buttons(slack.fake.message(FINANCE_CHANNEL, started.message.ts).blocks) == []

        await slack.host.settle()  # work in flight done first: the clock moves from a quiet host
        await slack.host.advance(timedelta(hours=2))
        assert len(slack.fake.replies_to(FINANCE_CHANNEL, started.message.ts)) == 2, "no reminder after a decision"


async def test_a_small_amount_takes_the_one_stage_tier_in_the_approval_channel(tmp_path: Path) -> None:
    async with slack_devhost(env=policy_env(tmp_path)) as slack:
        started = await slack.start_by_text("120 Team lunch")
        assert started.message.channel == APPROVAL_CHANNEL
        await slack.click("deny_request", started.approval_id, user_id=APPROVER, message=started.message)
        (opened,) = slack.fake.calls_to("views.open")
        await slack.submit("deny_reason", {"reason": text_value("Not this month")}, user_id=APPROVER,
                           private_metadata=opened.args["view"]["private_metadata"])
        done = await slack.host.wait_for_status(started.instance_id, "Completed")
        assert done["output"]["status"] == "Denied" and done["output"]["policy"]["tier"] == "team"
        assert len(done["output"]["stages"]) == 1


async def test_senior_management_decides_the_escalation(tmp_path: Path) -> None:
    async with slack_devhost(env=policy_env(tmp_path), approvers=f"{APPROVER},{OTHER_APPROVER},{SENIOR}") as slack:
        started = await slack.start_by_text("250000 New office")
        await slack.host.settle()  # work in flight done first: the clock moves from a quiet host
        await slack.host.advance(timedelta(minutes=11))
        await slack.host.wait_for_custom_status(
            started.instance_id, lambda s: isinstance(s, dict) and s.get("escalations"))
        (escalation,) = slack.fake.messages_in(ESCALATION_CHANNEL)
        assert [b["text"]["text"] for b in buttons(escalation.blocks)] == ["Approve", "Deny"]
        assert f"<@{SENIOR}> may approve or deny" in all_text(escalation.blocks)

        await slack.click("approve_request", started.approval_id, user_id=APPROVER, message=escalation)
        assert any("senior management approval" in text for text in ephemeral_texts(slack))

        await slack.click("approve_request", started.approval_id, user_id=SENIOR, message=escalation)
        done = await slack.host.wait_for_status(started.instance_id, "Completed")
        assert done["output"]["status"] == "Approved"
        assert done["output"]["decidedAfterEscalation"] is True
        assert done["output"]["approval"]["decidedBy"]["id"] == SENIOR
        await slack.fake.wait_for(
            lambda fake: buttons(slack.fake.message(ESCALATION_CHANNEL, escalation.ts).blocks) == [])
        assert "after escalation" in all_text(slack.fake.message(ESCALATION_CHANNEL, escalation.ts).blocks)


async def test_senior_silence_denies_when_the_policy_says_so(tmp_path: Path) -> None:
    async with slack_devhost(env=policy_env(tmp_path, "deny")) as slack:
        started = await slack.start_by_text("250000 New office")
        await slack.host.settle()  # work in flight done first: the clock moves from a quiet host
        await slack.host.advance(timedelta(minutes=11))
        await slack.host.wait_for_custom_status(
            started.instance_id, lambda s: isinstance(s, dict) and s.get("escalations"))
        await slack.host.settle()  # work in flight done first: the clock moves from a quiet host
        await slack.host.advance(timedelta(hours=1, minutes=1))
        done = await slack.host.wait_for_status(started.instance_id, "Completed")
        assert done["output"]["status"] == "Denied" and done["output"]["approval"]["via"] == "policy"
        assert done["output"]["decidedAfterEscalation"] is False
        (escalation,) = slack.fake.messages_in(ESCALATION_CHANNEL)
        await slack.fake.wait_for(
            lambda fake: buttons(slack.fake.message(ESCALATION_CHANNEL, escalation.ts).blocks) == [])
        dms = [m for m in slack.fake.messages.values() if m.channel == "D" + REQUESTER.lstrip("U")]
        assert any("denied" in m.text for m in dms), [m.text for m in slack.fake.messages.values()]


async def test_the_http_api_decides_stage_by_stage(tmp_path: Path) -> None:
    async with slack_devhost(env=policy_env(tmp_path)) as slack, aiohttp.ClientSession() as http:
        api = slack.host.base_url + "/api"
        async with http.post(f"{api}/human_interaction", json={"amount": 5000, "requester": "alice"}) as answer:
            assert answer.status == 202
            started = await answer.json()
        await stage_of(slack, started["id"], 0)
        body = {"approved": True, "approver": "manager@company.com"}
        async with http.post(f"{api}/approve/{started['approvalId']}", json=body) as answer:
            assert answer.status == 202 and (await answer.json())["decision"]["stage"] == 0
        await stage_of(slack, started["id"], 1)
        async with http.post(f"{api}/approve/{started['approvalId']}",
                             json={**body, "approver": "finance@company.com"}) as answer:
            assert answer.status == 202
        done = await slack.host.wait_for_status(started["id"], "Completed")
        assert [s["approver"] for s in done["output"]["stages"]] == ["manager@company.com", "finance@company.com"]


def test_an_invalid_policy_stops_the_app_with_one_message(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY.replace("ON_TIMEOUT", "escalate").replace("deadline: 20m", "deadline: someday"))
    loaded = subprocess.run([sys.executable, "-c", "import function_app"], cwd=ROOT, capture_output=True, text=True,
                            env={"PATH": "", "APPROVAL_POLICY_FILE": str(path)}, timeout=120)
    assert loaded.returncode != 0
    assert f"PolicyError: {path}: line 17, tiers[1].stages[1].deadline: must be a duration" in loaded.stderr
