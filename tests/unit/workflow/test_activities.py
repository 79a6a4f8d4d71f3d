"""The activities as the host calls them: JSON in, JSON out, Slack optional."""

from collections.abc import AsyncIterator
from typing import Any

import azure.durable_functions as df
import pytest

from bot.approvals import ApprovalRequest
from bot.config import ConfigError
from bot.workflow import activities as module
from devhost.urls import DurableUrls
from testkit.slack_api import FakeSlackApi

APPROVAL_ID = "approval-" + "b" * 32
REQUEST = ApprovalRequest(amount=5000.0, requester="alice@company.com", description="Conference").to_input()
DEADLINE = "2026-11-27T09:00:00Z"


# The durable client binding's JSON, as the host passes it; nothing here calls its management API.
CLIENT_JSON = DurableUrls("http://127.0.0.1:9", "default").client_binding_json()


def _activity(name: str) -> Any:
    """The user function behind a registered activity, called as the host calls it (with the
    durable client binding when it declares one)."""
    builder = getattr(module, name)
    function = builder._function
    user_function = function.get_user_function()
    if not any(binding.type == "durableClient" for binding in function.get_bindings()):
        return user_function
    return lambda payload: user_function(payload, client=CLIENT_JSON)


@pytest.fixture
def no_slack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi(token="xoxb-act") as fake:
        for name, value in {"SLACK_BOT_TOKEN": "xoxb-act", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake.api_url,
                            "APPROVAL_CHANNEL": "CAPPROVE", "ESCALATION_CHANNEL": "CESCALATE"}.items():
            monkeypatch.setenv(name, value)
        yield fake


def test_the_blueprint_registers_the_contract_activities_and_the_policy_ones() -> None:
    app = df.DFApp()
    app.register_functions(module.activities)
    triggers = {f.get_function_name(): f.get_trigger().type for f in app.get_functions()}
    assert triggers == {name: "activityTrigger" for name in
                        ("send_approval_request", "process_approval", "escalate_approval", "cancel_approval",
                         "advance_approval_stage", "remind_approvers", "close_escalation")}


@pytest.mark.usefixtures("no_slack")
async def test_without_slack_every_activity_returns_none() -> None:
    assert await _activity("send_approval_request")(
        {"approvalId": APPROVAL_ID, "instanceId": "b" * 32, "request": REQUEST, "deadline": DEADLINE}) is None
    assert await _activity("process_approval")(
        {"approvalId": APPROVAL_ID, "request": REQUEST, "decision": {"approved": True, "approver": "m"}, "message": None}
    ) is None
    assert await _activity("escalate_approval")(
        {"approvalId": APPROVAL_ID, "request": REQUEST, "deadline": DEADLINE, "message": None}) is None
    assert await _activity("cancel_approval")(
        {"approvalId": APPROVAL_ID, "request": REQUEST, "message": None,
         "cancellation": {"by": "alice@company.com", "reason": "", "timestamp": DEADLINE, "via": "api"}}) is None


async def test_the_request_goes_out_and_its_location_comes_back(fake: FakeSlackApi) -> None:
    output = await _activity("send_approval_request")(
        {"approvalId": APPROVAL_ID, "instanceId": "b" * 32, "request": REQUEST, "deadline": DEADLINE})
    assert set(output) == {"channel", "ts", "requesterSlackId", "permalink"}
    assert output["channel"] == "CAPPROVE" and output["requesterSlackId"] is None

    await _activity("process_approval")({"approvalId": APPROVAL_ID, "request": REQUEST, "message": output,
                                         "decision": {"approved": True, "approver": "m", "comments": ""}})
    assert fake.message(output["channel"], output["ts"]).updates == 1


async def test_a_misconfigured_slack_fails_the_activity_naming_the_setting(
    fake: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APPROVAL_CHANNEL", "#approvals")
    with pytest.raises(ConfigError, match="APPROVAL_CHANNEL"):
        await _activity("send_approval_request")(
            {"approvalId": APPROVAL_ID, "instanceId": "b" * 32, "request": REQUEST, "deadline": DEADLINE})
    assert fake.calls == []
