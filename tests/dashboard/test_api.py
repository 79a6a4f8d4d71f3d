"""The JSON API the dashboard page reads: the instance list over 10,000 instances, and one
instance of the real approval workflow as it waits, decides, times out or is terminated."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from devhost.dashboard import PAGE_PATH
from devhost.dashboard.queries import list_query
from devhost.sqlite_reads import instances_sql
from devhost.sqlite_store import SqliteStore
from devhost.store import STATUSES, InstanceKey

from .conftest import API, NAMES, get_json, insert_instances, start_approval

STATIC = Path(__file__).resolve().parents[2] / "devhost" / "dashboard" / "static"
MANY = 10_000


def newest_first(rows: list[dict]) -> list[str]:
    ordered = sorted(rows, key=lambda r: (r["created_time"], r["instance_id"]), reverse=True)
    return [r["instance_id"] for r in ordered]


async def walk(http: aiohttp.ClientSession, url: str, query: str) -> tuple[list[str], list[dict]]:
    """Follow `next` cursors to the end; the ids in page order, and every page body."""
    ids: list[str] = []
    pages: list[dict] = []
    after = ""
    while True:
        status, body = await get_json(http, f"{url}{API}/instances?{query}{after}")
        assert status == 200, body
        pages.append(body)
        ids.extend(i["instanceId"] for i in body["instances"])
        if body["next"] is None:
            return ids, pages
        after = f"&after={body['next']}"


@pytest.fixture
async def many(host) -> list[dict]:
    return insert_instances(host.db_path, MANY)


# -- the instance list ----------------------------------------------------------------------
async def test_paging_visits_all_10000_instances_once_newest_first(host, http, many):
    ids, pages = await walk(http, host.base_url, "limit=200")
    assert ids == newest_first(many)
    assert len(pages) == MANY // 200
    assert all(len(p["instances"]) == 200 for p in pages)
    assert pages[0]["total"] == MANY
    assert pages[0]["instances"][0] == {
        "instanceId": ids[0], "name": next(r["name"] for r in many if r["instance_id"] == ids[0]),
        "runtimeStatus": next(r["runtime_status"] for r in many if r["instance_id"] == ids[0]),
        "createdTime": max(r["created_time"] for r in many),
        "lastUpdatedTime": max(r["created_time"] for r in many)}


async def test_status_filter_pages_through_only_those_statuses(host, http, many):
    ids, pages = await walk(http, host.base_url, "status=Failed,Suspended&limit=150")
    wanted = [r for r in many if r["runtime_status"] in ("Failed", "Suspended")]
    assert ids == newest_first(wanted)
    assert pages[0]["total"] == len(wanted)
    counts = pages[0]["counts"]
    assert set(counts) == set(STATUSES)
    for status in STATUSES:
        assert counts[status] == sum(r["runtime_status"] == status for r in many)


async def test_name_and_id_prefix_filters_combine(host, http, many):
    prefix = many[123]["instance_id"][:2]
    ids, pages = await walk(http, host.base_url,
                            f"name=nightly_report&prefix={prefix}&status=Completed&limit=7")
    wanted = [r for r in many if r["name"] == "nightly_report" and r["runtime_status"] == "Completed"
              and r["instance_id"].startswith(prefix)]
    assert wanted and ids == newest_first(wanted)
    assert pages[0]["counts"]["Completed"] == len(wanted)
    assert pages[0]["names"] == sorted(NAMES)


async def test_a_prefix_nobody_has_gives_an_empty_last_page(host, http, many):
    status, body = await get_json(http, f"{host.base_url}{API}/instances?prefix=zz")
    assert status == 200
    assert body["instances"] == [] and body["next"] is None and body["total"] == 0


async def test_new_instances_come_first_on_the_first_page(host, http, many):
    instance_id = await start_approval(host, http)
    status, body = await get_json(http, f"{host.base_url}{API}/instances?limit=5")
    assert status == 200
    assert body["instances"][0]["instanceId"] == instance_id
    assert body["instances"][0]["runtimeStatus"] == "Running"
    assert body["total"] == MANY + 1


@pytest.mark.parametrize("flt", [
    list_query(), list_query(statuses=("Running",)), list_query(name="onboarding"),
    list_query(id_prefix="ab"), list_query(statuses=("Failed",), name="onboarding")])
def test_page_queries_search_an_index_instead_of_scanning(tmp_path, flt):
    """Why paging stays fast with 10,000 instances: no page reads the whole table."""
    store = SqliteStore(tmp_path / "hub.sqlite3")
    try:
        sql, params = instances_sql(replace(
            flt, after=InstanceKey("2026-01-01T00:00:00.000000Z", "f" * 32), limit=51))
        plan = " | ".join(r[3] for r in store.db.execute("EXPLAIN QUERY PLAN " + sql, params))
    finally:
        store.close()
    assert "SEARCH instances USING" in plan and "SCAN instances" not in plan, plan


@pytest.mark.parametrize("query, message", [
    ("status=Bogus", "unknown runtime status 'Bogus'"),
    ("limit=0", "limit must be between 1 and 200"),
    ("limit=201", "limit must be between 1 and 200"),
    ("limit=ten", "limit must be a whole number"),
    ("after=not-a-cursor", "cursor is not one this dashboard handed out"),
])
async def test_bad_list_queries_are_400_with_a_message(host, http, query, message):
    status, body = await get_json(http, f"{host.base_url}{API}/instances?{query}")
    assert status == 400
    assert message in body["error"]


# -- one instance ---------------------------------------------------------------------------
async def test_a_waiting_approval_shows_its_open_wait_and_deadline_timer(host, http):
    instance_id = await start_approval(host, http)
    status, body = await get_json(http, f"{host.base_url}{API}/instances/{instance_id}")
    assert status == 200
    assert body["runtimeStatus"] == "Running"
    assert body["input"]["requester"] == "alice@company.com"
    assert body["customStatus"]["stage"] == "waiting_for_approval"
    waiting = body["waiting"]
    assert waiting["events"] == [{"name": "approval_response", "count": 1}]
    assert waiting["eventsKnown"] is True
    [timer] = waiting["timers"]
    deadline = body["customStatus"]["deadline"]
    assert timer["fireAt"].startswith(deadline[:-1]) and timer["retry"] is False
    kinds = [(i["kind"], i["label"], i["state"]) for i in body["timeline"]["items"]]
    assert kinds == [("lifecycle", "Started", "started"),
                     ("activity", "send_approval_request", "completed"),
                     ("timer", "Durable timer", "pending")]
    assert body["timeline"]["end"] == timer["fireAt"]


async def test_an_invalid_decision_keeps_the_wait_open_and_shows_in_the_timeline(host, http):
    instance_id = await start_approval(host, http)
    url = f"{host.management_url}/instances/{instance_id}/raiseEvent/approval_response"
    async with http.post(url, json={"approved": "yes", "approver": "dana@company.com"}) as r:
        assert r.status == 202
    await host.wait_for_custom_status(instance_id, lambda s: s["invalidResponses"] == 1)
    _, body = await get_json(http, f"{host.base_url}{API}/instances/{instance_id}")
    assert body["waiting"]["events"] == [{"name": "approval_response", "count": 1}]
    events = [i for i in body["timeline"]["items"] if i["kind"] == "event"]
    assert [e["detail"] for e in events] == ['{"approved": "yes", "approver": "dana@company.com"}']


async def test_an_approved_instance_shows_the_decision_and_the_cancelled_timer(host, http):
    instance_id = await start_approval(host, http)
    url = f"{host.management_url}/instances/{instance_id}/raiseEvent/approval_response"
    async with http.post(url, json={"approved": True, "approver": "dana@company.com"}) as r:
        assert r.status == 202
    await host.wait_for_status(instance_id, "Completed")
    _, body = await get_json(http, f"{host.base_url}{API}/instances/{instance_id}")
    assert body["output"]["status"] == "Approved"
    assert body["waiting"] == {"events": [], "eventsKnown": True, "timers": [], "activities": []}
    items = {(i["kind"], i["label"]): i for i in body["timeline"]["items"]}
    assert items[("timer", "Durable timer")]["state"] == "cancelled"
    assert items[("event", "approval_response")]["detail"] == \
        '{"approved": true, "approver": "dana@company.com"}'
    assert items[("activity", "process_approval")]["state"] == "completed"
    assert items[("activity", "process_approval")]["duration_ms"] >= 0
    assert items[("lifecycle", "Completed")]["state"] == "completed"


async def test_a_timed_out_instance_shows_the_fired_timer_and_the_escalation(host, http):
    instance_id = await start_approval(host, http)
    await host.advance(timedelta(seconds=601))
    await host.wait_for_status(instance_id, "Completed")
    _, body = await get_json(http, f"{host.base_url}{API}/instances/{instance_id}")
    items = {(i["kind"], i["label"]): i for i in body["timeline"]["items"]}
    timer = items[("timer", "Durable timer")]
    assert timer["state"] == "fired"
    assert timer["duration_ms"] == pytest.approx(601_000, abs=1)
    assert items[("activity", "escalate_approval")]["state"] == "completed"
    assert body["output"]["status"] == "Escalated"


async def test_suspend_and_terminate_appear_with_their_reasons(host, http):
    instance_id = await start_approval(host, http)
    base = f"{host.management_url}/instances/{instance_id}"
    async with http.post(f"{base}/suspend?reason=checking+receipts") as r:
        assert r.status == 202
    await host.wait_for_status(instance_id, "Suspended")
    _, body = await get_json(http, f"{host.base_url}{API}/instances/{instance_id}")
    assert body["waiting"]["events"] == [{"name": "approval_response", "count": 1}]
    async with http.post(f"{base}/terminate?reason=duplicate+request") as r:
        assert r.status == 202
    await host.wait_for_status(instance_id, "Terminated")
    _, body = await get_json(http, f"{host.base_url}{API}/instances/{instance_id}")
    lifecycle = [(i["label"], i["detail"]) for i in body["timeline"]["items"]
                 if i["kind"] == "lifecycle"]
    assert lifecycle == [("Started", "approval_workflow"), ("Suspended", "checking receipts"),
                         ("Terminated", "duplicate request")]
    assert body["output"] == "duplicate request"


async def test_an_unknown_instance_is_404_with_a_message(host, http):
    status, body = await get_json(http, f"{host.base_url}{API}/instances/nope")
    assert status == 404
    assert "nope" in body["error"]


# -- live changes and the page itself ---------------------------------------------------------
async def read_event(response: aiohttp.ClientResponse) -> tuple[str, str]:
    """The next server-sent event (name, data), skipping comments."""
    name, data = "message", ""
    while True:
        line = (await response.content.readline()).decode().rstrip("\n")
        if line == "" and data:
            return name, data
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data = line[6:]


async def test_the_change_stream_signals_a_new_instance(host, http):
    async with http.get(f"{host.base_url}{API}/changes") as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        name, _ = await asyncio.wait_for(read_event(stream), 10)
        assert name == "hello"
        started = asyncio.ensure_future(start_approval(host, http))
        name, data = await asyncio.wait_for(read_event(stream), 10)
        assert name == "change" and '"version"' in data
        await started


async def test_the_page_and_its_assets_are_served_by_devhost_without_any_cdn(host, http):
    for path in (PAGE_PATH, f"{PAGE_PATH}instances/abc"):
        async with http.get(host.base_url + path) as response:
            assert response.status == 200
            assert "app.js" in await response.text()
    for asset in STATIC.iterdir():
        async with http.get(f"{host.base_url}{PAGE_PATH}static/{asset.name}") as response:
            assert response.status == 200
            assert "://" not in await response.text(), asset.name
    async with http.get(host.base_url + "/_devhost/dashboard", allow_redirects=False) as response:
        assert response.status == 302 and response.headers["Location"] == PAGE_PATH


async def test_failed_attempts_retries_and_the_failure_show_their_reasons():
    from devhost.testing import run_devhost

    from .conftest import APPS

    async with run_devhost(APPS / "charges", virtual_clock=True) as charges, \
            aiohttp.ClientSession() as http:
        instance_id = await charges.client.start_new("charge_card", None, 42)
        await charges.settle()
        _, body = await get_json(http, f"{charges.base_url}{API}/instances/{instance_id}")
        assert body["runtimeStatus"] == "Running"
        assert [t["retry"] for t in body["waiting"]["timers"]] == [True]
        assert body["waiting"]["events"] == []
        await charges.advance(timedelta(seconds=2))
        await charges.wait_for_status(instance_id, "Failed")
        _, body = await get_json(http, f"{charges.base_url}{API}/instances/{instance_id}")
    items = [(i["kind"], i["label"], i["state"]) for i in body["timeline"]["items"]]
    assert items[:4] == [("lifecycle", "Started", "started"), ("activity", "charge", "failed"),
                         ("retry-timer", "Retry delay", "fired"), ("activity", "charge", "failed")]
    assert items[-1] == ("lifecycle", "Failed", "failed")
    failures = [i["detail"] for i in body["timeline"]["items"] if i["state"] == "failed"]
    assert all("card declined for 42" in reason for reason in failures), failures


async def test_an_open_change_stream_ends_when_the_host_stops(http):
    from devhost.testing import run_devhost

    from .conftest import ROOT

    async with asyncio.timeout(30):  # a stream left hanging would hold the shutdown for 60 s
        async with run_devhost(ROOT, virtual_clock=True) as running:
            stream = await http.get(f"{running.base_url}{API}/changes")
            name, _ = await read_event(stream)
            assert name == "hello"
        try:
            rest = await stream.content.read()
        except aiohttp.ClientPayloadError:
            rest = b""
        assert rest == b""
        stream.release()
