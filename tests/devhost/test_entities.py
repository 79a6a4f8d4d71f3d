"""Durable entities under devhost, read through the real SDK: function-based entities
(`entity_trigger`), `call_entity` and `signal_entity` from orchestrations, `signal_entity` and
`read_entity_state` from the client, and the extension's entity HTTP API (HttpApiHandler,
`entities/{name}/{key}`)."""
import asyncio
import base64
from pathlib import Path

import aiohttp
import azure.durable_functions as df
import pytest

from devhost.testing import run_devhost

ENTITY_APP = Path(__file__).parent / "apps" / "entities"
BASES = ["/runtime/webhooks/durabletask", "/durabletask"]


@pytest.fixture
async def host():
    async with run_devhost(ENTITY_APP, virtual_clock=True) as running:
        yield running


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


def counter(key):
    return df.EntityId("Counter", key)


async def state_of(host, entity):
    read = await host.client.read_entity_state(entity)
    assert read.entity_exists
    return read.entity_state


# ---------------------------------------------------------------- client signal and read
async def test_a_counter_signalled_by_the_client_adds_up_and_reads_back(host):
    """DurableClient.SignalEntityAsyncInternal queues a signal; the batch JSON is
    EntityTriggerAttributeBindingProvider.EntityContextToString's."""
    for amount in (5, 2, 30):
        await host.client.signal_entity(counter("c1"), "add", amount)
    await host.settle()
    assert await state_of(host, counter("c1")) == 37


async def test_reading_a_missing_entity_answers_that_it_does_not_exist(host, http):
    """HttpApiHandler.HandleGetEntityRequestAsync: 404 with no body, which the SDK's
    read_entity_state turns into entity_exists=False."""
    read = await host.client.read_entity_state(counter("nobody"))
    assert read.entity_exists is False and read.entity_state is None
    async with http.get(f"{host.management_url}/entities/Counter/nobody") as resp:
        assert resp.status == 404
        assert await resp.read() == b""


async def test_an_entity_that_deletes_itself_no_longer_exists(host):
    await host.client.signal_entity(counter("gone"), "add", 1)
    await host.settle()
    await host.client.signal_entity(counter("gone"), "delete")
    await host.settle()
    assert (await host.client.read_entity_state(counter("gone"))).entity_exists is False


async def test_operations_on_one_entity_run_one_at_a_time_in_arrival_order(host):
    """TaskEntityShim: one batch at a time per entity, operations in the order they arrived."""
    journal = df.EntityId("Journal", "j")
    for i in range(30):
        await host.client.signal_entity(journal, f"op{i}", i + 1)
    ids = [await host.client.start_new("signal_counter", None, {
        "entity": "Journal", "key": "j", "op": "late", "amount": 100 + i}) for i in range(3)]
    await host.settle()
    for iid in ids:
        assert (await host.get_status(iid))["runtimeStatus"] == "Completed"
    entries = await state_of(host, journal)
    assert entries[:30] == [[f"op{i}", i + 1] for i in range(30)]
    assert sorted(entries[30:]) == [["late", 100], ["late", 101], ["late", 102]]


async def test_signalling_an_entity_with_no_function_is_refused_with_the_extensions_message(host):
    """DurableTaskExtension.ThrowIfFunctionDoesNotExist: ArgumentException, so HTTP 400."""
    with pytest.raises(Exception, match="unexpected status code 400"):
        await host.client.signal_entity(df.EntityId("Nobody", "k"), "add", 1)


# ---------------------------------------------------------------- from orchestrations
async def test_call_entity_returns_the_operations_result(host):
    """EventSent re-keys the call to its request id (TaskOrchestrationExecutor, EVENT_SENT); the
    response is an EventRaised of that name carrying TaskEntityShim's ResponseMessage."""
    await host.client.signal_entity(counter("c2"), "add", 7)
    iid = await host.client.start_new("call_counter", None, {"key": "c2", "amount": 3})
    status = await host.wait_for_status(iid, "Completed", "Failed")
    assert status["output"] == {"total": 10}
    assert await state_of(host, counter("c2")) == 10


async def test_an_operation_that_raises_fails_the_call_in_the_orchestrator(host):
    """ResponseMessage with exceptionType: the SDK raises the operation's message in the call."""
    iid = await host.client.start_new("failing_call")
    status = await host.wait_for_status(iid, "Completed", "Failed")
    assert status["output"] == "caught: the counter refuses"


async def test_signal_from_an_orchestration_reaches_the_entity(host):
    """SignalEntity (action 9) is fire-and-forget: it takes a task id and is sent at once."""
    iid = await host.client.start_new("signal_counter", None, {"key": "c3", "amount": 4})
    status = await host.wait_for_status(iid, "Completed")
    assert status["output"] == "signalled"
    await host.settle()
    assert await state_of(host, counter("c3")) == 4


async def test_calling_an_entity_with_no_function_fails_the_orchestration_with_the_reason(host):
    iid = await host.client.start_new("unknown_entity")
    status = await host.wait_for_status(iid, "Completed", "Failed")
    assert status["runtimeStatus"] == "Failed"
    assert "The function 'nobody' doesn't exist, is disabled, or is not an entity function" \
        in status["output"]
    assert "'blob', 'counter', 'journal', 'monthtodate'" in status["output"]


@pytest.mark.parametrize("call", [False, True])
async def test_each_approved_amount_is_added_to_the_month_exactly_once(host, call):
    """The signal (or call) is sent in the episode that issued it; every later replay of that
    orchestration, including its last one, finds it in the history and sends nothing again."""
    month = df.EntityId("MonthToDate", "ann:2026-12")
    amounts = [120, 80, 45]
    ids = [await host.client.start_new("approve", None, {
        "requester": "ann", "month": "2026-12", "amount": a, "call": call}) for a in amounts]
    for iid in ids:
        await host.wait_for_status(iid, "Completed")
    await host.settle()
    assert await state_of(host, month) == {"total": 245, "requests": 3}


async def test_a_restart_between_the_signal_and_the_end_sends_it_once(tmp_path):
    db = tmp_path / "hub.sqlite3"
    month = df.EntityId("MonthToDate", "bo:2026-11")
    async with run_devhost(ENTITY_APP, db_path=db, virtual_clock=True) as host:
        iid = await host.client.start_new("approve", None, {
            "requester": "bo", "month": "2026-11", "amount": 70, "wait": True})
        await host.settle()
        assert (await host.get_status(iid))["runtimeStatus"] == "Running"
    async with run_devhost(ENTITY_APP, db_path=db, virtual_clock=True) as host:
        assert await state_of(host, month) == {"total": 70, "requests": 1}
        await host.client.raise_event(iid, "done")
        await host.wait_for_status(iid, "Completed")
        await host.settle()
        assert await state_of(host, month) == {"total": 70, "requests": 1}


async def test_a_signal_sent_before_the_orchestrator_fails_is_still_delivered(host):
    iid = await host.client.start_new("signal_then_fail")
    status = await host.wait_for_status(iid, "Failed")
    assert "after the signal" in status["output"]
    await host.settle()
    assert await state_of(host, counter("failed")) == 1


async def test_signals_before_continue_as_new_are_sent_once_per_round(host):
    iid = await host.client.start_new("tally", None, {"key": "t", "rounds": 5})
    status = await host.wait_for_status(iid, "Completed")
    assert status["output"] == "done"
    await host.settle()
    assert await state_of(host, counter("t")) == 5


# ---------------------------------------------------------------- the entity HTTP API
@pytest.mark.parametrize("base", BASES)
async def test_http_signal_with_a_json_body_and_read(host, http, base):
    """HttpApiHandler.HandlePostEntityOperationRequestAsync: JSON content is parsed, other content
    is the input as a string; both answer 202."""
    url = f"{host.base_url}{base}/entities/Counter/h1"
    async with http.post(f"{url}?op=add", json="6") as resp:
        assert resp.status == 202
    async with http.post(f"{url}?op=add", data="4", headers={"Content-Type": "text/plain"}) as resp:
        assert resp.status == 202  # any other content is the input as a string
    await host.settle()
    async with http.get(url) as resp:
        assert resp.status == 200
        assert resp.content_type == "application/json"
        assert await resp.json() == 10


async def test_http_delete_signals_the_delete_operation(host, http):
    await host.client.signal_entity(counter("d1"), "add", 1)
    await host.settle()
    async with http.delete(f"{host.management_url}/entities/Counter/d1") as resp:
        assert resp.status == 202
    await host.settle()
    assert (await host.client.read_entity_state(counter("d1"))).entity_exists is False


async def test_the_key_dollar_names_the_empty_key(host, http):
    async with http.post(f"{host.management_url}/entities/Counter?op=add", json="3") as resp:
        assert resp.status == 202
    await host.settle()
    async with http.get(f"{host.management_url}/entities/Counter/$") as resp:
        assert resp.status == 200
        assert await resp.json() == 3


@pytest.mark.parametrize("method, path, body, message", [
    ("POST", "/entities/Nobody/k?op=x", None, "is not an entity function"),
    ("POST", "/entities/Counter/k?op=add", b"{not json", "Could not parse JSON content"),
    ("POST", "/entities/Counter/a%01b?op=add", None, "Entity keys must not contain"),
    ("POST", "/entities?op=add", None, "entity name must not be a null or empty string"),
    ("GET", "/entities/Counter?top=0", None, "top must be a positive whole number"),
    ("GET", "/entities/Counter?top=x", None, "Bad query"),
    ("GET", "/entities?fetchState=maybe", None, "fetchState must be true or false"),
    ("GET", "/entities?lastOperationTimeFrom=yesterday", None, "Bad query"),
])
async def test_bad_entity_requests_answer_400_with_a_message(host, http, method, path, body,
                                                             message):
    headers = {"Content-Type": "application/json"} if body else {}
    async with http.request(method, f"{host.management_url}{path}", data=body,
                            headers=headers) as resp:
        assert resp.status == 400
        assert message in (await resp.json())["Message"]


async def test_a_bad_continuation_token_answers_400(host, http):
    async with http.get(f"{host.management_url}/entities",
                        headers={"x-ms-continuation-token": "!!"}) as resp:
        assert resp.status == 400
        assert "not a token" in (await resp.json())["Message"]


async def test_listing_filters_by_name_and_pages_with_the_continuation_token(host, http):
    """HttpApiHandler.HandleListEntitiesRequestAsync: DurableEntityStatus items, `top`,
    `fetchState` and the x-ms-continuation-token header."""
    for key in ("a", "b", "c"):
        await host.client.signal_entity(counter(key), "add", ord(key))
    await host.client.signal_entity(df.EntityId("Journal", "j"), "note", "x")
    await host.settle()
    seen, token = [], None
    while True:
        headers = {"x-ms-continuation-token": token} if token else {}
        async with http.get(f"{host.management_url}/entities/Counter?top=2&fetchState=true",
                            headers=headers) as resp:
            assert resp.status == 200
            page = await resp.json()
            token = resp.headers["x-ms-continuation-token"]
        assert len(page) <= 2
        seen.extend(page)
        if not token:
            break
    assert [(e["entityId"], e["state"]) for e in seen] == [
        ({"name": "counter", "key": k}, ord(k)) for k in ("a", "b", "c")]
    assert all(e["lastOperationTime"] for e in seen)
    async with http.get(f"{host.management_url}/entities") as resp:
        everything = await resp.json()
    assert {e["entityId"]["name"] for e in everything} == {"counter", "journal"}
    assert all(e["state"] is None for e in everything)  # fetchState defaults to false


async def test_listing_filters_by_last_operation_time(host, http):
    await host.client.signal_entity(counter("early"), "add", 1)
    await host.settle()
    cut = host.clock.now()
    from datetime import timedelta
    await host.advance(timedelta(minutes=5))
    await host.client.signal_entity(counter("late"), "add", 1)
    await host.settle()
    since = (cut + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    async with http.get(f"{host.management_url}/entities?lastOperationTimeFrom={since}") as resp:
        keys = [e["entityId"]["key"] for e in await resp.json()]
    assert keys == ["late"]
    async with http.get(f"{host.management_url}/entities?lastOperationTimeTo={since}") as resp:
        keys = [e["entityId"]["key"] for e in await resp.json()]
    assert keys == ["early"]


def test_continuation_tokens_are_opaque_text():
    from devhost.entity_api import _after, _token
    assert _after(_token("@counter@a/b")) == "@counter@a/b"
    assert base64.urlsafe_b64decode(_token("@x@y")) == b"@x@y"


# ---------------------------------------------------------------- the entity as an instance
async def test_an_entitys_instance_id_answers_its_status_not_a_bare_404(host, http):
    await host.client.signal_entity(counter("s1"), "add", 2)
    await host.settle()
    status = await host.client.get_status("@counter@s1")
    assert status.runtime_status.value == "Running"
    assert status.input_ == {"exists": True, "state": "2"}
    assert (await host.get_status("@counter@never")) is None  # no state, nothing queued


@pytest.mark.parametrize("method, path", [
    ("POST", "/instances/@counter@s1/terminate"), ("POST", "/instances/@counter@s1/raiseEvent/E"),
    ("DELETE", "/instances/@counter@s1"),
])
async def test_other_instance_operations_on_an_entity_name_the_gap(host, http, method, path):
    await host.client.signal_entity(counter("s1"), "add", 2)
    await host.settle()
    async with http.request(method, f"{host.management_url}{path}") as resp:
        assert resp.status == 400
        assert "use the entity API" in (await resp.json())["Message"]
    assert (await host.client.get_status("@counter@s1")).runtime_status.value == "Running"


async def test_an_operation_on_an_entity_id_that_names_nothing_is_not_found(host, http):
    async with http.request("POST", f"{host.management_url}/instances/%40jC%7CHF%3Dj6%3F%291V/suspend") as resp:
        assert resp.status == 404


@pytest.mark.parametrize("method, path", [
    ("GET", "/entities/Counter/k"), ("POST", "/entities/Counter/k?op=add"), ("GET", "/entities"),
])
async def test_the_entity_api_needs_the_host_key_through_a_tunnel(host, http, method, path):
    """Like the rest of the management API: a remote request without the host key is 401."""
    async with http.request(method, f"{host.management_url}{path}",
                            headers={"Host": "devhost-tunnel.example"}) as resp:
        assert resp.status == 401
    await host.settle()
    assert (await host.client.read_entity_state(counter("k"))).entity_exists is False


async def test_a_page_on_another_site_cannot_signal_an_entity(host, http):
    async with http.post(f"{host.management_url}/entities/Counter/k?op=add", data="5",
                         headers={"Origin": "https://evil.example",
                                  "Content-Type": "text/plain"}) as resp:
        assert resp.status == 403
    await host.settle()
    assert (await host.client.read_entity_state(counter("k"))).entity_exists is False


# ---------------------------------------------------------------- storage faults
UNLIMITED_PAGES = 1_073_741_823


async def test_a_full_disk_holds_the_batch_and_applies_it_once_when_space_returns(host, http):
    """A batch whose commit the store refuses keeps its operations queued and the old state;
    signals meanwhile answer 503; once writes succeed the batch is applied, once."""
    blob = df.EntityId("Blob", "big")
    await host.engine.entities.stop()  # queue the operation first, run it once the disk is full
    await host.client.signal_entity(blob, "grow", 200_000)  # the new state needs new pages
    db = host.store.db  # the SQLite store's own connection: the limit applies to its writes
    db.execute("VACUUM")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    assert db.execute(f"PRAGMA max_page_count = {pages}").fetchone()[0] == pages
    host.engine.entities.start()
    while not host.engine.health.failing:
        await asyncio.wait_for(host.engine.next_change(), 10)
    assert (await host.client.read_entity_state(blob)).entity_exists is False
    async with http.post(f"{host.management_url}/entities/Blob/big?op=grow",
                         json="x" * 200_000) as resp:
        assert resp.status == 503
        assert "full" in (await resp.json())["Message"]

    db.execute(f"PRAGMA max_page_count = {UNLIMITED_PAGES}")
    await host.settle()
    assert await state_of(host, blob) == "x" * 200_000
