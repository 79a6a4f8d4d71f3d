"""The sample README's HTTP API, end to end: raw HTTP against function_app.py running on devhost."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import aiohttp
import pytest

from bot.approvals import parse_timestamp
from devhost.testing import RunningHost

JSON = {"Content-Type": "application/json"}
README_START = {
    "request_type": "expense_approval",
    "amount": 5000,
    "timeout_minutes": 15,
    "requester": "alice@company.com",
    "description": "Conference attendance expenses",
}
README_APPROVE = {"approved": True, "comments": "Approved by manager", "approver": "manager@company.com"}
README_DENY = {"approved": False, "comments": "Insufficient justification", "approver": "manager@company.com"}


async def post(http: aiohttp.ClientSession, url: str, body: object = None, *, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(body).encode()
    async with http.post(url, data=data, headers=JSON) as response:
        return response.status, await response.json(content_type=None), response.headers


async def get(http: aiohttp.ClientSession, url: str):
    async with http.get(url) as response:
        return response.status, await response.json(content_type=None)


async def start(host: RunningHost, http: aiohttp.ClientSession, body: object = None) -> dict:
    status, payload, _ = await post(http, f"{host.base_url}/api/human_interaction", {} if body is None else body)
    assert status == 202, payload
    return payload


async def waiting(host: RunningHost, instance_id: str) -> dict:
    return await host.wait_for_custom_status(
        instance_id, lambda custom: isinstance(custom, dict) and custom.get("stage") == "waiting_for_approval"
    )


async def test_start_answers_with_the_readme_management_payload(app_host, http):
    status, payload, headers = await post(http, f"{app_host.base_url}/api/human_interaction", README_START)

    assert status == 202
    instance_id = payload["id"]
    assert re.fullmatch(r"[0-9a-f]{32}", instance_id)
    assert payload["approvalId"] == f"approval-{instance_id}"
    base = f"{app_host.base_url}/runtime/webhooks/durabletask/instances/{instance_id}"
    assert payload["statusQueryGetUri"].startswith(base)
    assert payload["sendEventPostUri"].startswith(f"{base}/raiseEvent/{{eventName}}")
    assert payload["terminatePostUri"].startswith(f"{base}/terminate?reason={{text}}")
    assert payload["purgeHistoryDeleteUri"].startswith(base)
    assert headers["Location"] == payload["statusQueryGetUri"]

    # The status URI works as given, like curl would use it.
    code, instance = await get(http, payload["statusQueryGetUri"])
    assert code in (200, 202)
    assert instance["instanceId"] == instance_id
    assert instance["name"] == "approval_workflow"


async def test_readme_approval_completes_right_after_the_decision(app_host, http):
    started = await start(app_host, http, README_START)
    instance_id, approval_id = started["id"], started["approvalId"]
    before = await waiting(app_host, instance_id)
    assert before["customStatus"]["approvalId"] == approval_id
    assert before["customStatus"]["message"] is None  # Slack not configured
    deadline = parse_timestamp(before["customStatus"]["deadline"])

    status, body, _ = await post(http, f"{app_host.base_url}/api/approve/{approval_id}", README_APPROVE)
    assert status == 202, body

    # The virtual clock stands still: it finishes now, not at the deadline.
    done = await app_host.wait_for_status(instance_id, "Completed", "Failed")
    assert app_host.clock.now() < deadline
    output = done["output"]
    assert output["requestType"] == "ExpenseApproval"
    assert output["status"] == "Approved"
    assert {k: output["approval"][k] for k in ("approved", "comments", "approver")} == README_APPROVE
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", output["approval"]["timestamp"])
    assert output["approvalId"] == approval_id
    assert output["amount"] == 5000
    assert output["requester"] == "alice@company.com"

    code, shown = await get(http, f"{app_host.base_url}/api/status/{instance_id}")
    assert code == 200
    assert shown["runtimeStatus"] == "Completed"
    assert shown["output"] == output
    assert shown["customStatus"]["stage"] == "done"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", shown["createdTime"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", shown["lastUpdatedTime"])


async def test_readme_denial_with_the_bare_instance_id(app_host, http):
    started = await start(app_host, http, README_START)
    await waiting(app_host, started["id"])

    status, body, _ = await post(http, f"{app_host.base_url}/api/approve/{started['id']}", README_DENY)
    assert status == 202, body

    done = await app_host.wait_for_status(started["id"], "Completed", "Failed")
    assert done["output"]["status"] == "Denied"
    assert done["output"]["approval"]["approved"] is False
    assert done["output"]["approval"]["comments"] == "Insufficient justification"


async def test_an_empty_body_starts_a_request_with_defaults(app_host, http):
    started = await start(app_host, http, {})
    status = await waiting(app_host, started["id"])
    deadline = parse_timestamp(status["customStatus"]["deadline"])
    created = parse_timestamp(status["createdTime"])
    assert timedelta(minutes=9) < deadline - created <= timedelta(minutes=10, seconds=1)

    async with http.post(f"{app_host.base_url}/api/human_interaction") as response:  # no body at all
        assert response.status == 202


async def test_a_ten_second_timeout_escalates_on_the_virtual_clock(app_host, http):
    started = await start(app_host, http, {"timeout_seconds": 10, "amount": 120})
    await waiting(app_host, started["id"])

    await app_host.advance(timedelta(seconds=9))
    code, shown = await get(http, f"{app_host.base_url}/api/status/{started['id']}")
    assert shown["runtimeStatus"] == "Running"

    await app_host.advance(timedelta(seconds=2))
    done = await app_host.wait_for_status(started["id"], "Completed", "Failed")
    output = done["output"]
    assert output["status"] == "Escalated"
    assert output["reason"] == "No response within timeout period"
    assert output["escalation"] == "Sent to senior management"
    assert output["timeoutMinutes"] == pytest.approx(10 / 60, abs=0.01)
    assert output["requestType"] == "ExpenseApproval"


async def test_readme_timeout_output_for_fifteen_minutes(app_host, http):
    started = await start(app_host, http, README_START)
    await waiting(app_host, started["id"])
    await app_host.advance(timedelta(minutes=15))
    done = await app_host.wait_for_status(started["id"], "Completed", "Failed")
    assert {k: done["output"][k] for k in ("requestType", "status", "reason", "escalation", "timeoutMinutes")} == {
        "requestType": "ExpenseApproval",
        "status": "Escalated",
        "reason": "No response within timeout period",
        "escalation": "Sent to senior management",
        "timeoutMinutes": 15,
    }


async def test_a_second_decision_gets_409_with_the_outcome(app_host, http):
    started = await start(app_host, http, README_START)
    await waiting(app_host, started["id"])
    url = f"{app_host.base_url}/api/approve/{started['approvalId']}"
    assert (await post(http, url, README_APPROVE))[0] == 202
    done = await app_host.wait_for_status(started["id"], "Completed", "Failed")

    status, body, _ = await post(http, url, README_DENY)
    assert status == 409
    assert body["outcome"] == done["output"]
    assert "approved" in body["error"]


async def test_a_decision_after_escalation_gets_409(app_host, http):
    started = await start(app_host, http, {"timeout_seconds": 10})
    await waiting(app_host, started["id"])
    await app_host.advance(timedelta(seconds=11))
    await app_host.wait_for_status(started["id"], "Completed")

    status, body, _ = await post(http, f"{app_host.base_url}/api/approve/{started['approvalId']}", README_APPROVE)
    assert status == 409
    assert body["outcome"]["status"] == "Escalated"


async def test_unknown_ids_answer_404(app_host, http):
    unknown = "0" * 32
    status, body, _ = await post(http, f"{app_host.base_url}/api/approve/approval-{unknown}", README_APPROVE)
    assert status == 404 and "error" in body
    code, body = await get(http, f"{app_host.base_url}/api/status/{unknown}")
    assert code == 404 and "error" in body


async def test_the_status_of_a_waiting_request(app_host, http):
    started = await start(app_host, http, README_START)
    await waiting(app_host, started["id"])
    code, shown = await get(http, f"{app_host.base_url}/api/status/{started['id']}")
    assert code == 200
    assert shown["runtimeStatus"] == "Running"
    assert shown["output"] is None
    assert shown["customStatus"]["stage"] == "waiting_for_approval"
    assert shown["customStatus"]["invalidResponses"] == 0
    # The approval id works too.
    code, again = await get(http, f"{app_host.base_url}/api/status/{started['approvalId']}")
    assert code == 200 and again["instanceId"] == started["id"]


BAD_STARTS = [
    (b"not json", "body"),
    (b"[1, 2]", "body"),
    (b'"text"', "body"),
    (b"[" * 50_000, "body"),
    (json.dumps({"amount": 0}).encode(), "amount"),
    (json.dumps({"amount": -10}).encode(), "amount"),
    (json.dumps({"amount": "5000"}).encode(), "amount"),
    (json.dumps({"amount": True}).encode(), "amount"),
    (b'{"amount": NaN}', "amount"),
    (b'{"amount": Infinity}', "amount"),
    (b'{"amount": 1e400}', "amount"),
    (json.dumps({"timeout_minutes": 0}).encode(), "timeout_minutes"),
    (json.dumps({"timeout_minutes": -1}).encode(), "timeout_minutes"),
    (json.dumps({"timeout_minutes": 6 * 24 * 60 + 1}).encode(), "timeout_minutes"),
    (json.dumps({"timeout_minutes": "15"}).encode(), "timeout_minutes"),
    (json.dumps({"timeout_seconds": 0}).encode(), "timeout_seconds"),
    (json.dumps({"timeout_seconds": 1.5}).encode(), "timeout_seconds"),
    (json.dumps({"timeout_seconds": 6 * 24 * 3600 + 1}).encode(), "timeout_seconds"),
    (json.dumps({"timeout_seconds": 10, "timeout_minutes": 1}).encode(), "timeout_seconds"),
    (json.dumps({"requester": "x" * 257}).encode(), "requester"),
    (json.dumps({"requester": 42}).encode(), "requester"),
    (json.dumps({"description": "x" * 2001}).encode(), "description"),
    (json.dumps({"request_type": "Expense Approval!"}).encode(), "request_type"),
    (json.dumps({"request_type": "x" * 65}).encode(), "request_type"),
    (json.dumps({"requester_slack_id": "nobody"}).encode(), "requester_slack_id"),
    (json.dumps({"timeout_minute": 5}).encode(), "timeout_minute"),
]


async def test_every_bad_start_answers_400_naming_the_field_and_starts_nothing(app_host, http):
    for raw, field in BAD_STARTS:
        status, body, _ = await post(http, f"{app_host.base_url}/api/human_interaction", raw=raw)
        assert status == 400, (raw[:60], body)
        assert body["field"] == field, (raw[:60], body)
        assert field in body["error"]
    assert await app_host.client.get_status_all() == []


BAD_DECISIONS = [
    b"",
    b"not json",
    b"[]",
    b"[" * 50_000,
    json.dumps({"approved": "true", "approver": "m@c.com"}).encode(),
    json.dumps({"approved": 1, "approver": "m@c.com"}).encode(),
    json.dumps({"approved": True}).encode(),
    json.dumps({"approved": True, "approver": ""}).encode(),
    json.dumps({"approved": True, "approver": "x" * 257}).encode(),
    json.dumps({"approved": True, "approver": "m@c.com", "comments": "x" * 2001}).encode(),
    json.dumps({"approved": True, "approver": "m@c.com", "extra": 1}).encode(),
]


async def test_every_bad_decision_answers_400_and_raises_nothing(app_host, http):
    started = await start(app_host, http, README_START)
    await waiting(app_host, started["id"])
    url = f"{app_host.base_url}/api/approve/{started['approvalId']}"
    for raw in BAD_DECISIONS:
        status, body, _ = await post(http, url, raw=raw)
        assert status == 400, (raw[:60], body)
        assert body["error"]

    status, body, _ = await post(http, f"{app_host.base_url}/api/approve/approval-a%20b", README_APPROVE)
    assert status == 400 and body["field"] == "approvalId"

    await app_host.settle()
    code, shown = await get(http, f"{app_host.base_url}/api/status/{started['id']}")
    assert shown["runtimeStatus"] == "Running"
    assert shown["customStatus"]["invalidResponses"] == 0, "nothing reached the orchestration"
    assert (await post(http, url, README_APPROVE))[0] == 202
    done = await app_host.wait_for_status(started["id"], "Completed")
    assert done["output"]["status"] == "Approved"


async def test_a_garbled_event_through_the_management_uri_never_decides(app_host, http):
    started = await start(app_host, http, README_START)
    await waiting(app_host, started["id"])
    raise_url = started["sendEventPostUri"].replace("{eventName}", "approval_response")

    for garbage in ({"approved": "yes", "approver": "mallory"}, "approve!", None):
        async with http.post(raise_url, data=json.dumps(garbage), headers=JSON) as response:
            assert response.status == 202
    shown = await app_host.wait_for_custom_status(
        started["id"], lambda custom: custom.get("invalidResponses") == 3
    )
    assert shown["runtimeStatus"] == "Running"
    assert shown["customStatus"]["lastInvalidResponse"]

    assert (await post(http, f"{app_host.base_url}/api/approve/{started['approvalId']}", README_DENY))[0] == 202
    done = await app_host.wait_for_status(started["id"], "Completed")
    assert done["output"]["status"] == "Denied"
    assert done["output"]["invalidResponses"] == 3


async def test_a_decision_raised_by_the_python_client_is_accepted(app_host):
    instance_id = await app_host.client.start_new(
        "approval_workflow", None, {"requestType": "expense_approval", "amount": 10.0, "requester": "bob",
                                    "requesterSlackId": None, "description": "Taxi", "timeoutSeconds": 60}
    )
    await waiting(app_host, instance_id)
    await app_host.client.raise_event(instance_id, "approval_response", README_APPROVE)  # arrives as JSON text
    done = await app_host.wait_for_status(instance_id, "Completed")
    assert done["output"]["status"] == "Approved"
