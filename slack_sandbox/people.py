"""Who and what exists in the sandbox workspace: users, the bot, channels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TEAM_ID = "T0SANDBOX"
TEAM_DOMAIN = "sandbox"
TEAM_NAME = "Sandbox Corp"
APP_ID = "A0EXPENSES"
BOT_ID = "B0EXPENSES"
BOT_USER_ID = "U0EXPBOT"
SLACKBOT_ID = "USLACKBOT"


@dataclass(frozen=True)
class User:
    id: str
    name: str  # the handle, e.g. "alice"
    real_name: str
    email: str
    tz: str
    title: str = ""
    is_bot: bool = False
    color: str = "4a154b"

    def to_slack(self, tz_offset: int = 0) -> dict[str, Any]:
        """The user object as users.info returns it."""
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "display_name": self.name,
            "real_name_normalized": self.real_name,
            "display_name_normalized": self.name,
            "title": self.title,
            "team": TEAM_ID,
        }
        if not self.is_bot:
            profile["email"] = self.email
        else:
            profile["bot_id"] = BOT_ID
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "name": self.name,
            "deleted": False,
            "color": self.color,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_offset": tz_offset,
            "is_admin": False,
            "is_owner": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
            "profile": profile,
        }


@dataclass
class Channel:
    id: str
    name: str  # without "#"; for a DM, the other user's id
    members: set[str] = field(default_factory=set)
    is_im: bool = False
    topic: str = ""

    def to_slack(self) -> dict[str, Any]:
        if self.is_im:
            return {"id": self.id, "is_im": True, "user": self.name, "is_open": True}
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": True,
            "is_im": False,
            "is_private": False,
            "is_member": BOT_USER_ID in self.members,
            "topic": {"value": self.topic},
            "num_members": len(self.members),
        }


BOT_USER = User(BOT_USER_ID, "expense-bot", "Expense Approvals", "", "UTC", is_bot=True, color="1d4ed8")
SLACKBOT = User(SLACKBOT_ID, "slackbot", "Slackbot", "", "UTC", is_bot=True, color="757575")


def default_users() -> list[User]:
    """A requester, two approvers and a senior manager, in different timezones."""
    return [
        User("U0ALICE", "alice", "Alice Johnson", "alice@company.com", "America/New_York",
             "Marketing lead (requester)", color="e8912d"),
        User("U0BOB", "bob", "Bob Smith", "bob@company.com", "Europe/London",
             "Finance (approver)", color="2eb67d"),
        User("U0CAROL", "carol", "Carol Diaz", "carol@company.com", "Europe/Berlin",
             "Finance (approver)", color="36c5f0"),
        User("U0DANA", "dana", "Dana Lee", "dana@company.com", "America/Los_Angeles",
             "VP Finance (senior management)", color="e01e5a"),
    ]


def default_channels(user_ids: list[str]) -> list[Channel]:
    """Everyone is in every channel; the bot is in none until invited (Sandbox.install_app)."""
    everyone = set(user_ids)
    return [
        Channel("C0APPROVALS", "expense-approvals", set(everyone), topic="Expense requests waiting for a decision"),
        Channel("C0SENIORMGMT", "senior-management", set(everyone), topic="Escalations nobody answered in time"),
        Channel("C0GENERAL", "general", set(everyone), topic="Company-wide chatter"),
    ]


APPROVER_IDS = ("U0BOB", "U0CAROL")
APPROVAL_CHANNEL = "C0APPROVALS"  # #expense-approvals
ESCALATION_CHANNEL = "C0SENIORMGMT"  # #senior-management
