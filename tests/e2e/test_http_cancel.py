"""`POST /api/cancel/{approvalId}` end to end: raw HTTP against function_app.py on devhost."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.e2e.test_http_api import README_APPROVE, README_DENY, README_START, get, post, start, waiting

CANCEL = {"requester": "alice@company.com", "reason": "Bought it myself"}


async def test_the_requester_cancels_a_waiting_request(app_host, http):
    started = await start(app_host, http, README_START)
    before = await waiting(app_host, started["id"])

    status, body, _ = await post(http, f"{app_host.base_url}/api/cancel/{started['approvalId']}", CANCEL)
    assert status == 202, body
    assert body == {"id": started["id"], "approvalId": started["approvalId"], "message": "cancellation delivered",
                    "cancellation": {"cancel": True, "by": "alice@company.com", "reason": "Bought it myself"}}

    done = await app_host.wait_for_status(started["id"], "Completed", "Failed")
    assert done["runtimeStatus"] == "Completed"
    output = done["output"]
    assert {key: output[key] for key in ("requestType", "status", "approvalId", "amount", "requester",
                                         "description")} == {
        "requestType": "ExpenseApproval", "status": "Cancelled", "approvalId": started["approvalId"],
        "amount": 5000.0, "requester": "alice@company.com", "description": "Conference attendance expenses"}
    assert output["cancellation"]["by"] == "alice@company.com"
    assert output["cancellation"]["reason"] == "Bought it myself"
    assert output["cancellation"]["via"] == "api"
    assert output["cancelledAt"] == output["cancellation"]["timestamp"]
    assert output["cancelledAt"] < before["customStatus"]["deadline"], "completed at once, not at the deadline"
    code, shown = await get(http, f"{app_host.base_url}/api/status/{started['id']}")
    assert code == 200 and shown["output"]["status"] == "Cancelled"

    status, body, _ = await post(http, f"{app_host.base_url}/api/approve/{started['approvalId']}", README_APPROVE)
    assert status == 409 and body["outcome"]["status"] == "Cancelled", "nobody can decide it any more"


async def test_a_cancel_after_a_decision_gets_409_with_the_recorded_outcome(app_host, http):
    started = await start(app_host, http, README_START)
    await waiting(app_host, started["id"])
    assert (await post(http, f"{app_host.base_url}/api/approve/{started['approvalId']}", README_DENY))[0] == 202
    done = await app_host.wait_for_status(started["id"], "Completed")

    status, body, _ = await post(http, f"{app_host.base_url}/api/cancel/{started['approvalId']}", CANCEL)
    assert status == 409
    assert body["outcome"] == done["output"] and body["outcome"]["status"] == "Denied"
    assert "denied" in body["error"]


async def test_a_cancel_after_the_deadline_gets_409_escalated(app_host, http):
    started = await start(app_host, http, {"requester": "alice@company.com", "timeout_seconds": 10})
    await waiting(app_host, started["id"])
    await app_host.advance(timedelta(seconds=11))
    await app_host.wait_for_status(started["id"], "Completed")
    status, body, _ = await post(http, f"{app_host.base_url}/api/cancel/{started['approvalId']}", CANCEL)
    assert status == 409 and body["outcome"]["status"] == "Escalated"


async def test_an_unknown_request_answers_404(app_host, http):
    status, body, _ = await post(http, f"{app_host.base_url}/api/cancel/approval-{'0' * 32}", CANCEL)
    assert status == 404 and "no approval request" in body["error"]


BAD_CANCELS = [
    (b"", "body"),
    (b"not json", "body"),
    (b"[]", "body"),
    (b"[" * 50_000, "body"),
    (json.dumps({}).encode(), "requester"),
    (json.dumps({"requester": ""}).encode(), "requester"),
    (json.dumps({"requester": 7}).encode(), "requester"),
    (json.dumps({"requester": "x" * 257}).encode(), "requester"),
    (json.dumps({"requester": "alice@company.com", "reason": 3}).encode(), "reason"),
    (json.dumps({"requester": "alice@company.com", "reason": "x" * 2001}).encode(), "reason"),
    (json.dumps({"requester": "alice@company.com", "cancel": True}).encode(), "cancel"),
    (json.dumps({"requester": "alice", "cancelledBy": {"platform": "slack", "id": "U1"}}).encode(), "cancelledBy"),
    (json.dumps({"requester": "alice", "slackUserId": "U1"}).encode(), "slackUserId"),
]


async def test_bad_input_answers_4xx_and_changes_nothing(app_host, http):
    started = await start(app_host, http, README_START)
    await waiting(app_host, started["id"])
    url = f"{app_host.base_url}/api/cancel/{started['approvalId']}"
    for raw, field in BAD_CANCELS:
        status, body, _ = await post(http, url, raw=raw)
        assert status == 400, (raw[:60], body)
        assert body["field"] == field and body["error"], (raw[:60], body)

    status, body, _ = await post(http, f"{app_host.base_url}/api/cancel/approval-a%20b", CANCEL)
    assert status == 400 and body["field"] == "approvalId"

    status, body, _ = await post(http, url, {"requester": "manager@company.com"})
    assert status == 403 and body["field"] == "requester", "only the requester may cancel"

    await app_host.settle()
    code, shown = await get(http, f"{app_host.base_url}/api/status/{started['id']}")
    assert shown["runtimeStatus"] == "Running"
    assert shown["customStatus"]["stage"] == "waiting_for_approval"
    assert shown["customStatus"]["invalidResponses"] == 0, "nothing reached the orchestration"
    assert (await post(http, f"{app_host.base_url}/api/approve/{started['approvalId']}", README_APPROVE))[0] == 202
    done = await app_host.wait_for_status(started["id"], "Completed")
    assert done["output"]["status"] == "Approved"


async def test_a_cancel_by_someone_else_through_the_management_uri_never_cancels(app_host, http):
    started = await start(app_host, http, README_START)
    await waiting(app_host, started["id"])
    raise_url = started["sendEventPostUri"].replace("{eventName}", "approval_response")
    async with http.post(raise_url, json={"cancel": True, "by": "mallory@company.com"}) as response:
        assert response.status == 202
    shown = await app_host.wait_for_custom_status(started["id"], lambda custom: custom.get("invalidResponses") == 1)
    assert shown["runtimeStatus"] == "Running"
    assert shown["customStatus"]["lastInvalidResponse"] == "only the requester may cancel the request"
