"""`python -m slack_sandbox`: which mode it picks, and the whole product started as `make run` does."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from slack_sandbox.launcher import app_settings, parse_args, uses_real_slack

ROOT = Path(__file__).resolve().parents[2]


def test_real_slack_means_a_token_and_no_api_url():
    assert uses_real_slack({"SLACK_BOT_TOKEN": "xoxb-1"})
    assert not uses_real_slack({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": "http://127.0.0.1:3000/api/"})
    assert not uses_real_slack({"SLACK_BOT_TOKEN": ""})
    assert not uses_real_slack({})


def test_make_run_applies_slacks_rate_limits_unless_told_not_to():
    assert parse_args([]).rate_limits is True
    assert parse_args(["--no-rate-limits"]).rate_limits is False


def test_environment_wins_over_local_settings(tmp_path: Path, monkeypatch):
    (tmp_path / "local.settings.json").write_text(json.dumps(
        {"IsEncrypted": False, "Values": {"SLACK_BOT_TOKEN": "xoxb-from-file", "APPROVAL_CHANNEL": "C1"}}))
    monkeypatch.setenv("APPROVAL_CHANNEL", "C2")
    settings = app_settings(tmp_path)
    assert settings["SLACK_BOT_TOKEN"] == "xoxb-from-file" and settings["APPROVAL_CHANNEL"] == "C2"


@pytest.mark.slow
async def test_make_run_starts_sandbox_and_devhost_wired_together(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    other_program = socket.socket()  # holds the port asked for devhost: the banner must say so
    other_program.bind(("127.0.0.1", 0))
    other_program.listen(1)
    held = other_program.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "slack_sandbox", "--app-dir", str(ROOT), "--port", "0", "--devhost-port", str(held),
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        url, banner = await asyncio.wait_for(_announced_url(process), 60)
        assert f"Note: Port {held} is in use by another program, so the Functions host is on port" in banner
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as page:
                assert page.status == 200 and "Slack sandbox" in await page.text()
            sent = await session.post(f"{url}ui/message", json={"user": "U0ALICE", "channel": "C0APPROVALS",
                                                                  "text": "/expense 42 Printer paper"})
            outcome = await sent.json()
            assert outcome["ok"] is True, outcome
            async with session.get(f"{url}ui/state", params={"user": "U0BOB"}) as state:
                texts = [m["text"] for m in (await state.json())["messages"]["C0APPROVALS"]]
        # The request is posted by an activity, after the ack; the UI shows it when it lands.
        assert any("$42.00" in t for t in texts) or await asyncio.wait_for(_eventually_posted(url), 30)
    finally:
        other_program.close()
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 20)
    assert process.returncode == 0


async def _announced_url(process: asyncio.subprocess.Process) -> tuple[str, str]:
    """The URL to open, and everything printed up to it."""
    seen = ""
    while line := await process.stdout.readline():
        seen += line.decode()
        found = re.search(r"Open:\s+(http://\S+)", seen)
        if found:
            return found.group(1), seen
    raise AssertionError("the launcher exited without announcing its URL")


async def _eventually_posted(url: str) -> bool:
    """Wait for the request on the live WebSocket (pushed by the sandbox, no polling)."""
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}ui/live?user=U0BOB") as socket:
        async for message in socket:
            event = json.loads(message.data)
            texts = ([m["text"] for m in event["messages"]["C0APPROVALS"]] if event["type"] == "state"
                     else [event.get("message", {}).get("text", "")])
            if any("$42.00" in t for t in texts):
                return True
    return False
