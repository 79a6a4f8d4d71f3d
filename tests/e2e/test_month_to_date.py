"""Month-to-date spend on the real app (devhost, fake Slack): each Approved amount is added to
the requester's month, the next request's card shows the sum to the approvers, a denial adds
nothing, and a tier's monthly limit sends a request over it a tier up."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import azure.durable_functions as df

from testkit.blockkit import all_text
from testkit.slack_harness import APPROVAL_CHANNEL, APPROVER, OTHER_APPROVER, REQUESTER, SlackHarness, slack_devhost

JSON = {"Content-Type": "application/json"}
DENY = {"approved": False, "comments": "Not this one", "approver": "manager@company.com"}
APPROVE = {"approved": True, "comments": "", "approver": "manager@company.com"}
FINANCE_CHANNEL = "CFINANCE"
LIMITED_POLICY = f"""\
name: limits
tiers:
  - name: team
    monthly_limit: 500
    stages:
      - {{name: manager, approvers: {{slack: [{APPROVER}]}}, deadline: 10m}}
  - name: finance
    over: 1000
    channel: {{slack: {FINANCE_CHANNEL}}}
    stages:
      - {{name: finance, approvers: {{slack: [{OTHER_APPROVER}]}}, deadline: 10m}}
"""


def month_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


async def approved(slack: SlackHarness, text: str, approver: str = APPROVER) -> str:
    """Start a request, approve it, and answer what its card showed while it waited."""
    started = await slack.start_by_text(text)
    shown = all_text(started.message.blocks)
    answer = await slack.click("approve_request", started.approval_id, user_id=approver, message=started.message)
    assert answer.status == 200
    status = await slack.host.wait_for_status(started.instance_id, "Completed")
    assert status["output"]["status"] == "Approved"
    await slack.host.settle()  # the signal is delivered and the month updated
    return shown


async def decided_over_http(slack: SlackHarness, approval_id: str, decision: dict) -> None:
    url = f"{slack.host.base_url}/api/approve/{approval_id}"
    async with slack.session.post(url, data=json.dumps(decision), headers=JSON) as response:
        assert response.status == 202, await response.text()
    await slack.host.wait_for_status(approval_id.removeprefix("approval-"), "Completed")
    await slack.host.settle()


async def month_of(slack: SlackHarness, key: str) -> object:
    read = await slack.host.client.read_entity_state(df.EntityId("monthly_spend", key))
    return read.entity_state if read.entity_exists else None


async def test_the_third_request_shows_the_sum_of_the_approved_ones_and_a_denial_adds_nothing() -> None:
    async with slack_devhost() as slack:
        first = await approved(slack, "120 Taxi to the airport")
        assert "Month to date: $0.00 approved for this requester" in first
        await approved(slack, "80.5 Team lunch")

        denied = await slack.start_by_text("999 A very large lunch")
        assert "Month to date: $200.50" in all_text(denied.message.blocks)
        await decided_over_http(slack, denied.approval_id, DENY)

        third = await slack.start_by_text("45 Pens")
        assert third.message.channel == APPROVAL_CHANNEL
        assert "Month to date: $200.50 approved for this requester" in all_text(third.message.blocks)
        status = await slack.host.get_status(third.instance_id)
        assert status is not None
        given = status["input"] if isinstance(status["input"], dict) else json.loads(status["input"])
        assert given["monthToDate"] == 200.5, "carried in the input, so every replay sees the same figure"

        state = await month_of(slack, f"slack:{REQUESTER}:{month_now()}")
        assert isinstance(state, dict) and state["total"] == 200.5
        assert sorted(state["approvals"].values()) == [80.5, 120.0]


async def test_a_typed_name_is_one_requester_whatever_its_case_and_spacing() -> None:
    async with slack_devhost() as slack:
        base = slack.host.base_url
        ids = []
        for name, amount in (("Ann Lee", 300), ("  ann   LEE", 25)):
            body = {"amount": amount, "requester": name, "description": "Books"}
            async with slack.session.post(f"{base}/api/human_interaction", data=json.dumps(body),
                                          headers=JSON) as response:
                assert response.status == 202
                ids.append((await response.json())["approvalId"])
            await slack.host.wait_for_custom_status(
                ids[-1].removeprefix("approval-"), lambda s: isinstance(s, dict) and s.get("stage") == "waiting_for_approval")
            await decided_over_http(slack, ids[-1], APPROVE)
        state = await month_of(slack, f"name:ann_20_lee:{month_now()}")
        assert isinstance(state, dict) and state["total"] == 325.0 and sorted(state["approvals"]) == sorted(ids)


async def test_over_the_monthly_limit_a_request_goes_to_the_next_tier_and_says_why(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(LIMITED_POLICY)
    async with slack_devhost(env={"APPROVAL_POLICY_FILE": str(policy)}) as slack:
        await approved(slack, "450 Monitor")
        within = await slack.start_by_text("50 Cables")
        assert within.message.channel == APPROVAL_CHANNEL, "500 in all is not over the limit"
        await decided_over_http(slack, within.approval_id, DENY)

        over = await slack.start_by_text("50.01 Cables")
        assert over.message.channel == FINANCE_CHANNEL
        shown = all_text(over.message.blocks)
        assert "over the $500 monthly limit: over $1,000: finance" in shown
        assert "Month to date: $450.00" in shown
