"""My approvals as Block Kit: within Slack's limits, the channel's action ids, every outcome shown."""

import json

from azure.durable_functions.models.DurableOrchestrationStatus import DurableOrchestrationStatus
from slack_sdk.models.views import View

from bot.approvals import ApprovalRequest
from bot.people import Person
from bot.slack.home import home_view, list_message
from bot.slack.messages import APPROVE_ACTION, DENY_ACTION
from bot.workflow.my_approvals import MyApprovals
from bot.workflow.state import classify
from testkit.blockkit import all_text, assert_valid_blocks, buttons

ALICE = Person.slack("UALICE", "alice")


def state(n: int, output=None, runtime="Running"):
    request = ApprovalRequest(amount=5.0 + n, requester="alice", requester_account=ALICE,
                              description=f"<!channel> item {n}", origin="slack").to_input()
    custom = {"stage": "waiting_for_approval", "approvalId": f"approval-i{n}", "deadline": "2026-12-01T10:00:00Z"}
    return classify(DurableOrchestrationStatus.from_json({
        "name": "approval_workflow", "instanceId": f"i{n}", "runtimeStatus": runtime, "input": json.dumps(request),
        "customStatus": custom, "output": output, "createdTime": "2026-12-01T09:00:00Z",
        "lastUpdatedTime": "2026-12-01T09:00:00Z"}))


def test_many_waiting_requests_stay_within_slacks_limits_with_the_channels_buttons() -> None:
    mine = MyApprovals([state(n) for n in range(40)], [state(100 + n) for n in range(10)], True)
    view = home_view(mine, notice="*Approved* by <@UBOB>")
    assert View(**view).to_dict() == view and len(view["blocks"]) <= 100
    message = list_message(mine)
    assert_valid_blocks(message.block_dicts())  # at most 50 in a message
    shown = buttons(message.block_dicts())
    assert {b["action_id"] for b in shown} == {APPROVE_ACTION, DENY_ACTION}
    assert shown[0]["value"] == "approval-i0" and len(shown) == 30
    text = all_text(message.block_dicts())
    assert "…and 25 more" in text and "&lt;!channel&gt; item 0" in text and "<!channel>" not in text


def test_own_requests_show_where_each_stands_whatever_the_outcome() -> None:
    cancelled = state(1, output={"status": "Cancelled", "cancelledAt": "2026-12-01T09:30:00Z",
                                 "cancellation": {"by": "alice", "timestamp": "2026-12-01T09:30:00Z"}},
                      runtime="Completed")
    recalled = state(2, output={"status": "Recalled"}, runtime="Completed")
    approved = state(3, output={"status": "Approved", "approval": {
        "approved": True, "approver": "bob", "timestamp": "2026-12-01T09:10:00Z", "slackUserId": "UBOB"}},
        runtime="Completed")
    text = all_text(list_message(MyApprovals([], [cancelled, recalled, approved, state(4)], False)).block_dicts())
    assert "*Cancelled* by you" in text and "*Recalled*" in text and "*Approved* by <@UBOB>" in text
    assert "Waiting for a decision" in text and "Waiting for you" not in text
