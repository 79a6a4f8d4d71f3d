"""My approvals and the audit export under an approval policy: a request waits for the approvers
of its current stage only, and the export names the tier and every stage's approver."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.approvals import utc_timestamp
from testkit.blockkit import buttons
from testkit.slack_harness import APPROVER, OTHER_APPROVER, SlackHarness, slack_devhost
from tests.e2e.test_policy import policy_env, stage_of


def waiting_ids(slack: SlackHarness, user_id: str) -> list[str]:
    return [b["value"] for b in buttons(slack.home_of(user_id).get("blocks", [])) if b["action_id"] == "approve_request"]


async def test_each_stage_waits_on_its_own_approvers_home_tab_then_the_export_names_tier_and_stages(
        tmp_path: Path) -> None:
    async with slack_devhost(env=policy_env(tmp_path)) as slack:
        started = await slack.start_by_text("5000 Laptops")
        for user in (APPROVER, OTHER_APPROVER):
            await slack.open_home(user)
        assert waiting_ids(slack, APPROVER) == [started.approval_id]  # the manager stage
        assert waiting_ids(slack, OTHER_APPROVER) == []  # finance comes second

        await slack.click_home("approve_request", started.approval_id, user_id=APPROVER)
        await stage_of(slack, started.instance_id, 1)
        assert waiting_ids(slack, APPROVER) == []
        await slack.open_home(OTHER_APPROVER)
        assert waiting_ids(slack, OTHER_APPROVER) == [started.approval_id]

        await slack.click_home("approve_request", started.approval_id, user_id=OTHER_APPROVER)
        await slack.host.wait_for_status(started.instance_id, "Completed")
        now = slack.host.clock.now()
        period = f"from={utc_timestamp(now - timedelta(hours=1))}&to={utc_timestamp(now + timedelta(hours=1))}"
        async with slack.session.get(f"{slack.host.base_url}/api/approvals?{period}") as response:
            assert response.status == 200
            (row,) = json.loads(await response.text())["approvals"]
        assert (row["outcome"], row["policyTier"]) == ("Approved", "finance")
        assert row["approvers"] == [APPROVER.lower(), OTHER_APPROVER.lower()]
