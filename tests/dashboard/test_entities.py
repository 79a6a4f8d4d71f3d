"""The dashboard lists durable entities with their state and queued operations, live."""
from __future__ import annotations

from pathlib import Path

import aiohttp
import azure.durable_functions as df
import pytest
from playwright.async_api import Browser, expect

from devhost.dashboard import PAGE_PATH
from devhost.testing import run_devhost

from .conftest import API

ENTITY_APP = Path(__file__).resolve().parents[1] / "devhost" / "apps" / "entities"


@pytest.fixture
async def host():
    async with run_devhost(ENTITY_APP, virtual_clock=True) as running:
        yield running


async def entities(http: aiohttp.ClientSession, url: str) -> dict:
    async with http.get(url) as response:
        assert response.status == 200
        return await response.json()


async def test_the_api_lists_entities_with_state_and_pages_by_entity_id(host):
    for key, amount in (("b", 2), ("a", 1), ("c", 3)):
        await host.client.signal_entity(df.EntityId("Counter", key), "add", amount)
    await host.client.signal_entity(df.EntityId("MonthToDate", "ann:2026-12"), "approved", 40)
    await host.settle()
    async with aiohttp.ClientSession() as http:
        first = await entities(http, f"{host.base_url}{API}/entities?limit=2")
        assert [(e["name"], e["key"], e["state"]) for e in first["entities"]] == [
            ("counter", "a", 1), ("counter", "b", 2)]
        assert first["next"] == "@counter@b"
        rest = await entities(http, f"{host.base_url}{API}/entities?limit=2&after={first['next']}")
        assert [(e["entityId"], e["state"], e["queued"]) for e in rest["entities"]] == [
            ("@counter@c", 3, 0), ("@monthtodate@ann:2026-12", {"total": 40, "requests": 1}, 0)]
        assert rest["next"] is None
        only = await entities(http, f"{host.base_url}{API}/entities?name=MonthToDate")
        assert [e["key"] for e in only["entities"]] == ["ann:2026-12"]


@pytest.mark.browser
async def test_the_page_shows_each_entity_and_its_state_as_it_changes(browser: Browser, host):
    counter = df.EntityId("Counter", "cups")
    await host.client.signal_entity(counter, "add", 5)
    await host.settle()
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        await page.goto(host.base_url + PAGE_PATH)
        await expect(page.locator("#live")).to_have_attribute("data-state", "live")
        row = page.locator('#entity-rows tr[data-entity-id="@counter@cups"]')
        await expect(row).to_contain_text("counter")
        await expect(row.locator("td.state")).to_have_text("5")
        await host.client.signal_entity(counter, "add", 7)
        await host.client.signal_entity(df.EntityId("MonthToDate", "bo:2026-12"), "approved", 9)
        await host.settle()
        await expect(row.locator("td.state")).to_have_text("12")
        month = page.locator('#entity-rows tr[data-entity-id="@monthtodate@bo:2026-12"]')
        await expect(month.locator("td.state")).to_have_text('{"total":9,"requests":1}')
        await expect(page.locator("#empty-entities")).to_be_hidden()
    finally:
        await context.close()


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=x", "after=counter"])
async def test_a_bad_entity_page_request_answers_400(host, query):
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{host.base_url}{API}/entities?{query}") as response:
            assert response.status == 400
            assert (await response.json())["error"]


async def test_an_instance_shows_its_entity_calls_and_signals_in_the_timeline(host):
    await host.client.signal_entity(df.EntityId("Counter", "tl"), "add", 1)
    iid = await host.client.start_new("call_counter", None, {"key": "tl", "amount": 4})
    await host.wait_for_status(iid, "Completed")
    signalled = await host.client.start_new("signal_counter", None, {"key": "tl", "amount": 2})
    await host.wait_for_status(signalled, "Completed")
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{host.base_url}{API}/instances/{iid}") as response:
            body = await response.json()
        calls = [(i["kind"], i["label"], i["state"], i["detail"])
                 for i in body["timeline"]["items"] if i["kind"] == "entity"]
        assert calls == [("entity", "@counter@tl add", "completed", "null"),
                         ("entity", "@counter@tl get", "completed", "5")]
        assert not [i for i in body["timeline"]["items"] if i["kind"] == "event"]
        async with http.get(f"{host.base_url}{API}/instances/{signalled}") as response:
            body = await response.json()
        assert [(i["label"], i["state"], i["detail"]) for i in body["timeline"]["items"]
                if i["kind"] == "signal"] == [("@counter@tl add", "sent", "2")]


async def test_a_waiting_call_shows_as_an_entity_call_not_an_event(host):
    """While the call waits for its entity, the page says so (not 'External event <guid>')."""
    await host.engine.entities.stop()  # no batch runs: the call stays open
    iid = await host.client.start_new("call_counter", None, {"key": "w", "amount": 1})
    await host.wait_for_status(iid, "Running")
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{host.base_url}{API}/instances/{iid}") as response:
            waiting = (await response.json())["waiting"]
    assert waiting["events"] == []
    assert waiting["entities"] == [{"call": "@counter@w add"}]
