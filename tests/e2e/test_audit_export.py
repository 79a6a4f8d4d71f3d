"""`GET /api/approvals`, end to end: decided requests on devhost, exported as JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import aiohttp

from bot.approvals import utc_timestamp
from devhost.testing import RunningHost
from tests.e2e.test_http_api import post, start, waiting

DENY = {"approved": False, "comments": "Over budget, please split", "approver": "cfo@company.com"}
APPROVE = {"approved": True, "comments": "=HYPERLINK(\"http://evil\",\"ok\")", "approver": "@manager"}


async def decided_requests(host: RunningHost, http: aiohttp.ClientSession) -> dict[str, str]:
    """One approved, one denied, one escalated and one still waiting; their outcomes by approval id."""
    approved = await start(host, http, {"amount": 120, "requester": "alice@company.com",
                                        "description": '+1 "team", lunch\nwith clients'})
    denied = await start(host, http, {"amount": 9000.5, "requester": "bob@company.com", "description": "Laptop"})
    escalated = await start(host, http, {"amount": 40, "requester": "carol@company.com", "timeout_seconds": 60})
    still_waiting = await start(host, http, {"amount": 7, "requester": "dan@company.com", "timeout_minutes": 600})
    for started in (approved, denied, escalated, still_waiting):
        await waiting(host, started["id"])
    for started, body in ((approved, APPROVE), (denied, DENY)):
        status, answer, _ = await post(http, f"{host.base_url}/api/approve/{started['approvalId']}", body)
        assert status == 202, answer
        await host.wait_for_status(started["id"], "Completed")
    await host.advance(timedelta(seconds=61))
    await host.wait_for_status(escalated["id"], "Completed")
    return {approved["approvalId"]: "Approved", denied["approvalId"]: "Denied", escalated["approvalId"]: "Escalated"}


def around_now(host: RunningHost) -> str:
    now = host.clock.now()
    return f"from={utc_timestamp(now - timedelta(hours=1))}&to={utc_timestamp(now + timedelta(hours=1))}"


async def export(http: aiohttp.ClientSession, url: str) -> tuple[int, str, aiohttp.typedefs.LooseHeaders]:
    async with http.get(url) as response:
        return response.status, await response.text(), response.headers


async def test_every_decided_request_in_the_period_is_exported_with_its_decision(app_host, http):
    outcomes = await decided_requests(app_host, http)
    status, text, headers = await export(http, f"{app_host.base_url}/api/approvals?{around_now(app_host)}")
    assert status == 200, text
    body = json.loads(text)
    assert {row["approvalId"]: row["outcome"] for row in body["approvals"]} == outcomes
    assert body["count"] == 3 and body["next"] is None and body["continuation"] is None
    by_outcome = {row["outcome"]: row for row in body["approvals"]}
    denied = by_outcome["Denied"]
    assert (denied["requester"], denied["amount"], denied["description"]) == ("bob@company.com", 9000.5, "Laptop")
    assert (denied["approvers"], denied["comments"]) == (["cfo@company.com"], ["Over budget, please split"])
    assert denied["instanceId"] == denied["approvalId"].removeprefix("approval-")
    assert denied["createdAt"] <= denied["decidedAt"] and denied["policyTier"] == ""
    assert by_outcome["Escalated"]["approvers"] == [] and by_outcome["Escalated"]["decidedAt"]

    status, text, _ = await export(http, f"{app_host.base_url}/api/approvals?{around_now(app_host)}&status=denied,Escalated")
    assert sorted(row["outcome"] for row in json.loads(text)["approvals"]) == ["Denied", "Escalated"]
    later = utc_timestamp(app_host.clock.now() + timedelta(hours=1))
    status, text, _ = await export(http, f"{app_host.base_url}/api/approvals?from={later}")
    assert status == 400 and json.loads(text)["field"] == "to"


async def test_the_csv_opens_in_a_spreadsheet_as_text_never_as_formulas(app_host, http):
    await decided_requests(app_host, http)
    status, text, headers = await export(http, f"{app_host.base_url}/api/approvals?{around_now(app_host)}&format=csv")
    assert status == 200
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="approvals.csv"' in headers["Content-Disposition"]
    assert text.startswith("\ufeffapprovalId,instanceId,requestType,requester,amount,")
    assert text.endswith("\r\n") and "\r\n" in text.split('"')[0]
    rows = {row["outcome"]: row for row in csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))}
    approved = rows["Approved"]
    assert approved["description"] == "'+1 \"team\", lunch\nwith clients"
    assert approved["comments"] == "'=HYPERLINK(\"http://evil\",\"ok\")"
    assert approved["approvers"] == "'@manager"
    assert (approved["amount"], rows["Denied"]["amount"]) == ("120.0", "9000.5")
    assert rows["Escalated"]["comments"] == ""


async def test_pages_follow_next_until_there_is_none(app_host, http):
    outcomes = await decided_requests(app_host, http)
    url = f"{app_host.base_url}/api/approvals?{around_now(app_host)}&limit=1"
    seen: list[str] = []
    pages = 0
    while url:
        status, text, _ = await export(http, url)
        assert status == 200, text
        body = json.loads(text)
        seen += [row["approvalId"] for row in body["approvals"]]
        url, pages = body["next"], pages + 1
    assert sorted(seen) == sorted(outcomes) and pages == 4  # four instances, one per page

    csv_url = f"{app_host.base_url}/api/approvals?{around_now(app_host)}&limit=2&format=csv"
    status, text, headers = await export(http, csv_url)
    assert headers["Link"].endswith('>; rel="next"') and headers["X-Continuation-Token"]
    following = headers["Link"][1:].split(">", 1)[0]
    status, text, headers = await export(http, following)
    assert status == 200 and "Link" not in headers and "X-Continuation-Token" not in headers


async def test_bad_parameters_are_400_naming_the_parameter(app_host, http):
    base = f"{app_host.base_url}/api/approvals"
    for query, field in [
        ("from=yesterday", "from"), ("to=2026-13-01", "to"), ("from=2026-11-02&to=2026-11-01", "to"),
        ("from=2020-01-01&to=2026-01-01", "from"), ("status=Pending", "status"), ("format=xlsx", "format"),
        ("limit=0", "limit"), ("limit=many", "limit"), ("limit=1001", "limit"), ("statuses=Approved", "statuses"),
        ("continuation=%0Aevil", "continuation"), ("continuation=not-issued-here", "continuation"),
        ("from=0001-01-01", "from"),
    ]:
        status, text, _ = await export(http, f"{base}?{query}")
        assert status == 400, (query, text)
        assert json.loads(text)["field"] == field, query
