"""A request under an approval policy on the dashboard: the stage it waits in, and its pending
timers, the next reminder beside the stage's deadline."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp

from testkit.slack_harness import APPROVER, OTHER_APPROVER, slack_devhost
from tests.dashboard.conftest import API, get_json

POLICY = f"""\
tiers:
  - name: finance
    stages:
      - {{name: manager, approvers: {{slack: [{APPROVER}]}}, deadline: 10m}}
      - {{name: finance, approvers: {{slack: [{OTHER_APPROVER}]}}, deadline: 30m}}
    reminders: [50%]
"""


async def test_the_stage_and_its_reminder_and_deadline_timers_are_shown(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text(POLICY)
    async with slack_devhost(env={"APPROVAL_POLICY_FILE": str(tmp_path / "policy.yaml")}) as slack, \
            aiohttp.ClientSession() as http:
        started = await slack.start_by_text("5000 Laptops")
        url = f"{slack.host.base_url}{API}/instances/{started.instance_id}"
        _, body = await get_json(http, url)
        assert (body["customStatus"]["stageName"], body["customStatus"]["policyStage"]) == ("manager", 0)
        deadline = body["customStatus"]["deadline"][:-1]
        fire_at = sorted(timer["fireAt"] for timer in body["waiting"]["timers"])
        assert len(fire_at) == 2 and fire_at[1].startswith(deadline), "the reminder first, then the deadline"

        await slack.click("approve_request", started.approval_id, user_id=APPROVER, message=started.message)
        await slack.host.wait_for_custom_status(started.instance_id, lambda s: s.get("policyStage") == 1
                                                and s.get("stage") == "waiting_for_approval")
        await slack.host.advance(timedelta(seconds=1))
        _, body = await get_json(http, url)
        assert body["customStatus"]["stageName"] == "finance"
        now_waiting = sorted(timer["fireAt"] for timer in body["waiting"]["timers"])
        assert len(now_waiting) == 2, "the manager stage's timers are gone; finance has its own"
        assert now_waiting[1].startswith(body["customStatus"]["deadline"][:-1])
        assert not set(fire_at) & set(now_waiting)
