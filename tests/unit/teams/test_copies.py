"""Which card of a request is a second copy the workflow never recorded."""

from bot.teams.copies import is_unrecorded_copy
from bot.workflow.state import ApprovalState, Stage
from bot.workflow.status import WorkflowStatus

CHANNEL = "19:approvals@thread.tacv2"
SENIOR = "19:senior@thread.v2"


def _state(*, escalation: dict | None = None) -> ApprovalState:
    status = WorkflowStatus("waiting_for_approval", "approval-abc", None,
                            messages={"teams": {"conversationId": CHANNEL, "activityId": "100"}},
                            escalations={"teams": escalation} if escalation else {})
    return ApprovalState(Stage.OPEN, instance_id="abc", status=status)


def test_another_card_in_the_recorded_cards_channel_is_a_copy() -> None:
    assert is_unrecorded_copy(_state(), CHANNEL, "101")
    assert is_unrecorded_copy(_state(), f"{CHANNEL};messageid=101", "101")  # a click arrives in its thread


def test_the_recorded_card_is_not_a_copy_wherever_the_click_comes_from() -> None:
    assert not is_unrecorded_copy(_state(), CHANNEL, "100")
    assert not is_unrecorded_copy(_state(), f"{CHANNEL};messageid=100", "100")


def test_the_escalation_post_is_not_a_copy_even_in_the_same_conversation() -> None:
    assert not is_unrecorded_copy(_state(escalation={"conversationId": SENIOR, "activityId": "7"}), SENIOR, "7")
    same = _state(escalation={"conversationId": CHANNEL, "activityId": "105"})
    assert not is_unrecorded_copy(same, CHANNEL, "105")


def test_nothing_is_a_copy_before_the_card_is_recorded() -> None:
    status = WorkflowStatus("sending_request", "approval-abc", None)
    assert not is_unrecorded_copy(ApprovalState(Stage.OPEN, instance_id="abc", status=status), CHANNEL, "101")
    assert not is_unrecorded_copy(None, CHANNEL, "101")
