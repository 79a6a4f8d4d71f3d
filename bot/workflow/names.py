"""The names the durable backend stores: renaming one orphans every instance in flight."""

ORCHESTRATOR = "approval_workflow"
DECISION_EVENT = "approval_response"

SEND_REQUEST = "send_approval_request"
RECORD_DECISION = "process_approval"
ESCALATE = "escalate_approval"
RECORD_CANCELLATION = "cancel_approval"

# The durable entity holding one requester's Approved amounts of one month.
MONTHLY_SPEND = "monthly_spend"

# Under an approval policy only.
ADVANCE_STAGE = "advance_approval_stage"
REMIND = "remind_approvers"
CLOSE_ESCALATION = "close_escalation"
