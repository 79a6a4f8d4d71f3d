"""Signed Slack requests to a devhost that runs in another process (same shapes as
testkit/slack_requests, sent to whatever origin the host serves on right now)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import aiohttp

from testkit import slack_requests as slack
from testkit.slack_api import FakeSlackApi

TOKEN = "xoxb-proof-token"
SECRET = "proof-signing-secret"
APPROVAL_CHANNEL = "CAPPROVE"
ESCALATION_CHANNEL = "CESCALATE"
REQUESTER = "UREQ1"
APPROVER = "UAPPR1"
OTHER_APPROVER = "UAPPR2"
APPROVAL_ID = re.compile(r"approval-([0-9a-f]{32})")


def slack_settings(fake: FakeSlackApi) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "APPROVAL_CHANNEL": APPROVAL_CHANNEL, "ESCALATION_CHANNEL": ESCALATION_CHANNEL,
        "APPROVER_USER_IDS": f"{APPROVER},{OTHER_APPROVER}", "SKIP_SLACK_SDK_WARNING": "1",
        "TASKHUB_NAME": "default",  # host.json's hubName reads it
    }


@dataclass
class Reply:
    status: int
    text: str


async def post_signed(session: aiohttp.ClientSession, origin: str, path: str, body: str) -> Reply:
    async with session.post(f"{origin}{path}", data=body.encode(), headers=slack.signed_headers(SECRET, body)) as r:
        return Reply(r.status, await r.text())


async def expense_command(session: aiohttp.ClientSession, origin: str, text: str, response_url: str) -> str:
    """`/expense <text>` by the requester; the new instance id from the ephemeral confirmation."""
    body = slack.slash_command_body(text, user_id=REQUESTER, response_url=response_url)
    reply = await post_signed(session, origin, "/api/slack/commands", body)
    match = APPROVAL_ID.search(reply.text)
    assert reply.status == 200 and match, reply
    return match.group(1)


async def approve_click(session: aiohttp.ClientSession, origin: str, approval_id: str, message: dict[str, Any],
                        response_url: str, user_id: str = APPROVER) -> Reply:
    payload = slack.button_click("approve_request", approval_id, user_id=user_id, user_name=user_id.lower(),
                                 channel=message["channel"], message_ts=message["ts"], response_url=response_url)
    return await post_signed(session, origin, "/api/slack/interactions", slack.interaction_body(payload))


async def deny_with_reason(session: aiohttp.ClientSession, origin: str, approval_id: str, message: dict[str, Any],
                           reason: str, user_id: str = OTHER_APPROVER) -> Reply:
    """The deny-reason form's submission (what Deny's modal sends back)."""
    metadata = json.dumps({"approvalId": approval_id, "channel": message["channel"], "ts": message["ts"]})
    payload = slack.view_submission("deny_reason", {"reason": slack.text_value(reason)}, user_id=user_id,
                                    user_name=user_id.lower(), private_metadata=metadata)
    return await post_signed(session, origin, "/api/slack/interactions", slack.interaction_body(payload))
