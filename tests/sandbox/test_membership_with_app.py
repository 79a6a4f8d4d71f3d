"""The real app when the bot was never invited to the approvers' channel: the requester is told
how to fix it at once, and the request ends Failed with the reason instead of retrying."""

from __future__ import annotations

from pathlib import Path

import pytest

from devhost.testing import run_devhost
from slack_sandbox.testing import PROJECT_MANIFEST, run_sandbox

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def stack_without_the_bot():
    async with run_sandbox(manifest=PROJECT_MANIFEST) as slack:
        slack.remove_bot("C0APPROVALS")
        env = {**slack.env(), "SKIP_SLACK_SDK_WARNING": "1"}
        async with run_devhost(ROOT, env=env, virtual_clock=True) as host:
            slack.connect_app(host.base_url)
            yield slack, host


async def test_a_channel_without_the_bot_tells_the_requester_how_to_invite_it(stack_without_the_bot):
    slack, host = stack_without_the_bot
    await slack.slash_command("U0ALICE", "/expense 80 Team lunch")
    [instance] = await host.client.get_status_all()
    status = await host.wait_for_status(instance.instance_id, "Failed")
    assert "not_in_channel" in status["customStatus"]["notificationError"]
    posts = [c for c in slack.api_log.of("chat.postMessage") if c["args"]["channel"] == "C0APPROVALS"]
    assert len(posts) == 1, "refused once, not retried"
    notice = [c for c in slack.api_log.of("chat.postMessage") if c["args"]["channel"].startswith("D")]
    assert len(notice) == 1 and "/invite" in str(notice[0]["args"])
