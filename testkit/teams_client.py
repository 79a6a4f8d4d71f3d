"""Teams-shaped activities sent to POST /api/teams/messages as people would, to a devhost in this
process or in another one (its origin may change between starts), with Teams' side of the bot's
calls played by the recording fake connector."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from testkit.teams_connector import FakeConnector, Posted

APPROVALS = "19:approvals@thread.tacv2"
ESCALATIONS = "19:senior-management@thread.tacv2"
BOT = {"id": "28:expense-bot", "name": "Expenses"}
REQUESTER = {"id": "29:alice", "name": "Alice"}
APPROVER = {"id": "29:bob", "name": "Bob"}
OTHER_APPROVER = {"id": "29:carol", "name": "Carol"}
OUTSIDER = {"id": "29:mallory", "name": "Mallory"}


@dataclass
class Answer:
    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class Started:
    approval_id: str
    instance_id: str
    card: Posted  # the request as posted to the approvers' conversation


class TeamsClient:
    def __init__(self, origin: Callable[[], str], fake: FakeConnector, session: aiohttp.ClientSession) -> None:
        self.origin = origin
        self.fake = fake
        self.session = session
        self._ids = itertools.count(1)
        self.authorization: str | None = None

    async def send(self, activity: dict[str, Any] | str | bytes, headers: dict[str, str] | None = None) -> Answer:
        data = activity if isinstance(activity, (str, bytes)) else json.dumps(activity)
        headers = {"Content-Type": "application/json", **(headers or {})}
        if self.authorization and "Authorization" not in headers:
            headers["Authorization"] = self.authorization
        async with self.session.post(f"{self.origin()}/api/teams/messages", data=data,
                                     headers=headers) as response:
            return Answer(response.status, await response.text())

    def activity(self, kind: str, user: dict[str, str], conversation: dict[str, Any], **fields: Any) -> dict[str, Any]:
        return {"type": kind, "id": f"in-{next(self._ids)}", "channelId": "msteams",
                "serviceUrl": self.fake.service_url, "from": user, "recipient": BOT,
                "conversation": conversation, "timestamp": "2026-11-30T10:00:00Z", **fields}

    async def say(self, text: str, user: dict[str, str] = REQUESTER) -> Answer:
        """A message in the user's 1:1 chat with the bot."""
        conversation = {"id": self.fake.personal_chat_of(user["id"]), "conversationType": "personal"}
        return await self.send(self.activity("message", user, conversation, text=text))

    async def say_in_channel(self, text: str, user: dict[str, str] = REQUESTER, *, mention: bool = True) -> Answer:
        conversation = {"id": f"{APPROVALS};messageid=root-1", "conversationType": "channel", "isGroup": True}
        entities = [{"type": "mention", "text": f"<at>{BOT['name']}</at>", "mentioned": BOT}] if mention else []
        shown = f"<at>{BOT['name']}</at> {text}" if mention else text
        return await self.send(self.activity("message", user, conversation, text=shown, entities=entities,
                                             channelData={"channel": {"id": APPROVALS}}))

    async def click(self, verb: str, data: dict[str, Any], user: dict[str, str], *,
                    card: Posted | None = None, trigger: str = "manual") -> Answer:
        """An Action.Execute on a card: an adaptiveCard/action invoke (``trigger`` "automatic" is
        Teams refreshing a card by itself when someone looks at it)."""
        if card is not None:
            conversation = {"id": card.conversation_id, "conversationType": "channel", "isGroup": True}
            reply_to = card.activity_id
        else:
            conversation = {"id": self.fake.personal_chat_of(user["id"]), "conversationType": "personal"}
            reply_to = "form-1"
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": trigger}
        return await self.send(self.activity("invoke", user, conversation, name="adaptiveCard/action",
                                             value=value, replyToId=reply_to))

    async def click_card(self, verb: str, started: Started, user: dict[str, str], **inputs: Any) -> dict[str, Any]:
        """Click a button on the request card; the card Teams would show the clicker instead."""
        answer = await self.click(verb, {"approvalId": started.approval_id, **inputs}, user, card=started.card)
        assert answer.status == 200, answer.text
        body = answer.json()
        assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive", body
        return body["value"]

    def replies_to(self, user: dict[str, str]) -> list[Posted]:
        return self.fake.in_conversation(self.fake.personal_chat_of(user["id"]))


def approval_id_in(text: str) -> str:
    match = re.search(r"approval-[0-9a-f]{32}", text)
    assert match, f"no approval id in {text[:300]!r}"
    return match.group(0)


def card_text(card: dict[str, Any] | None) -> str:
    """Every text a card shows, in order, for assertions."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(found)


def verbs(card: dict[str, Any] | None) -> list[str]:
    return [action.get("verb") for action in (card or {}).get("actions", []) if action.get("type") == "Action.Execute"]
