"""Conformance of the durable management API with the durable extension.

Every test names the behaviour it reproduces: a section of
docs/design/durable-protocol.md ("the protocol doc") and, where it matters, the trap.
Raw HTTP (aiohttp, like curl) checks status codes and JSON shapes; the real
DurableOrchestrationClient checks that the SDK reads them as it reads the extension's.
"""
import asyncio
import re

import aiohttp
import pytest

from devhost.testing import run_devhost

BASES = ["/runtime/webhooks/durabletask", "/durabletask"]
PAYLOAD_KEYS = {"id", "statusQueryGetUri", "sendEventPostUri", "terminatePostUri", "rewindPostUri",
                "purgeHistoryDeleteUri", "restartPostUri", "suspendPostUri", "resumePostUri"}
STATUS_KEYS = {"name", "instanceId", "runtimeStatus", "input", "customStatus", "output",
               "createdTime", "lastUpdatedTime"}
ERROR_KEYS = {"Message", "ExceptionMessage", "ExceptionType", "StackTrace"}


@pytest.fixture
async def host(basic_app):
    async with run_devhost(basic_app, virtual_clock=True) as running:
        yield running


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


async def start_waiting(host, name="two_waits"):
    iid = await host.client.start_new(name)
    await host.settle()
    return iid


async def start_completed(host):
    iid = await start_waiting(host)
    await host.client.raise_event(iid, "E", 1)
    await host.wait_for_status(iid, "Completed")
    return iid


# ---------------------------------------------------------------- start (§2.1 start_new, §2.4)
@pytest.mark.parametrize("base", BASES)
async def test_start_answers_202_with_the_check_status_payload(host, http, base):
    """§2.1 start_new: 202 + payload (§2.4), Location, Retry-After: 10, id = 32 hex digits."""
    async with http.post(f"{host.base_url}{base}/orchestrators/two_waits", json={"a": 1}) as resp:
        assert resp.status == 202
        body = await resp.json()
        assert resp.headers["Location"] == body["statusQueryGetUri"]
        assert resp.headers["Retry-After"] == "10"
    assert set(body) == PAYLOAD_KEYS
    assert re.fullmatch(r"[0-9a-f]{32}", body["id"])
    assert body["statusQueryGetUri"] == (f"{host.base_url}/runtime/webhooks/durabletask/instances/"
                                         f"{body['id']}?taskHub=TestHubName&connection=Storage")
    assert body["terminatePostUri"].endswith("/terminate?reason={text}&taskHub=TestHubName&connection=Storage")


async def test_start_with_an_instance_id_keeps_it(host):
    """§2.1 start_new: orchestrators/{name}/{instanceId}."""
    assert await host.client.start_new("two_waits", "my-id") == "my-id"


async def test_start_of_an_unknown_orchestrator_is_400_argument_exception(host, http):
    """§2.1 start_new: 400 with the ArgumentException body; the SDK raises ExceptionMessage."""
    async with http.post(f"{host.base_url}/durabletask/orchestrators/nope") as resp:
        assert resp.status == 400
        body = await resp.json()
    assert set(body) == ERROR_KEYS
    assert body["ExceptionType"] == "System.ArgumentException"
    assert body["ExceptionMessage"].startswith("The function 'nope' doesn't exist, is disabled, "
                                               "or is not an orchestrator function.")
    with pytest.raises(Exception, match="The function 'nope' doesn't exist"):
        await host.client.start_new("nope")


@pytest.mark.parametrize("bad_id", ["@entity", "a#b", "x" * 257])
async def test_start_with_an_invalid_instance_id_is_400(host, http, bad_id):
    """§2.1 start_new: ids starting with @, holding / \\ ? # or control chars, or > 256 are 400."""
    async with http.post(f"{host.base_url}/durabletask/orchestrators/two_waits/{bad_id.replace('#', '%23')}") as resp:
        assert resp.status == 400


async def test_start_with_invalid_json_is_400(host, http):
    """§2.1 start_new: invalid JSON content is 400."""
    async with http.post(f"{host.base_url}/durabletask/orchestrators/two_waits", data=b"{nope",
                         headers={"Content-Type": "application/json"}) as resp:
        assert resp.status == 400
        assert "Message" in await resp.json()


async def test_start_over_a_running_instance_is_500_and_over_a_finished_one_replaces_it(host, http):
    """§2.1 start_new: existing Running/Pending/Suspended id -> 500; Completed/Failed/Terminated
    instances are silently replaced."""
    await host.client.start_new("two_waits", "dup")
    async with http.post(f"{host.base_url}/durabletask/orchestrators/two_waits/dup") as resp:
        assert resp.status == 500
        assert (await resp.json())["Message"] == "Something went wrong while processing your request"
    await host.client.raise_event("dup", "E", 1)
    await host.wait_for_status("dup", "Completed")
    assert await host.client.start_new("two_waits", "dup", "again") == "dup"
    status = await host.get_status("dup")
    assert status["runtimeStatus"] in ("Pending", "Running") and status["input"] == '"again"'


async def test_client_input_is_stored_double_encoded(host):
    """§2.2 / trap T1: the Python client double-encodes; the status `input` is a str of JSON."""
    iid = await host.client.start_new("two_waits", None, {"name": "Tokyo"})
    assert (await host.get_status(iid))["input"] == '{"name": "Tokyo"}'


async def test_start_and_wait_returns_the_output_when_it_finishes(host, http):
    """§2.1 start_new: ?timeout=&pollingInterval= waits for completion (200 with the output)."""
    async with http.post(f"{host.base_url}/durabletask/orchestrators/child?timeout=5&pollingInterval=1",
                         json={"k": 1}) as resp:
        assert resp.status == 200
        assert (await resp.json())["first"] == "Hello child!"


@pytest.mark.parametrize("timeout", ["abc", "nan", "inf", "-1", "1e400", "999999"])
async def test_start_with_an_unusable_wait_timeout_is_400_and_starts_nothing(host, http, timeout):
    url = f"{host.base_url}/durabletask/orchestrators/child?timeout={timeout}"
    async with http.post(url, json={"k": 1}) as resp:
        assert resp.status == 400
        assert "timeout" in (await resp.json())["Message"]
    assert await host.client.get_status_all() == []


async def test_start_and_wait_answers_as_soon_as_the_instance_ends(host, http):
    """The wait follows engine changes: an instance decided during the wait ends it at once."""
    url = f"{host.base_url}/durabletask/orchestrators/two_waits/w1?timeout=60"
    answer = asyncio.ensure_future(http.post(url, json=None))
    await host.wait_for_status("w1", "Running")
    await host.client.raise_event("w1", "E", 1)
    async with await asyncio.wait_for(answer, timeout=30) as resp:
        assert resp.status == 200


# ---------------------------------------------------------------- raise event (§2.1 raise_event)
async def test_raise_event_codes_202_404_410_400(host, http):
    """§2.1 raise_event: 202 running, 404 unknown (empty), 410 finished (empty), 400 non-JSON."""
    running = await start_waiting(host)
    done = await start_completed(host)
    url = f"{host.base_url}/runtime/webhooks/durabletask/instances/{{}}/raiseEvent/E"
    async with http.post(url.format("unknown"), json=1) as resp:
        assert resp.status == 404 and await resp.read() == b""
    async with http.post(url.format(done), json=1) as resp:
        assert resp.status == 410 and await resp.read() == b""
    async with http.post(url.format(running), data="x", headers={"Content-Type": "text/plain"}) as resp:
        assert resp.status == 400
        assert await resp.json() == {"Message": "Only application/json request content is supported"}
    async with http.post(url.format(running), json={"ok": True}) as resp:
        assert resp.status == 202
    status = await host.wait_for_status(running, "Completed")
    assert status["output"] == {"ok": True}  # raw JSON body is delivered as a value


async def test_raise_event_errors_as_the_sdk_reports_them(host):
    """§2.1 raise_event: the SDK turns 404 and 410 into its own messages."""
    done = await start_completed(host)
    with pytest.raises(Exception, match="No instance with ID zzz found"):
        await host.client.raise_event("zzz", "E", 1)
    with pytest.raises(Exception, match=f"Instance with ID {done} is gone"):
        await host.client.raise_event(done, "E", 1)


# ---------------------------------------------------------------- status (§2.1 get_status, §2.2)
async def test_status_codes_and_headers(host, http):
    """§2.1 get_status: 404 empty unknown; 202 running with Location + Retry-After: 5; 200 done."""
    running = await start_waiting(host)
    done = await start_completed(host)
    base = f"{host.base_url}/runtime/webhooks/durabletask/instances"
    async with http.get(f"{base}/unknown") as resp:
        assert resp.status == 404 and await resp.read() == b""
    async with http.get(f"{base}/{running}") as resp:
        assert resp.status == 202
        assert resp.headers["Retry-After"] == "5"
        assert resp.headers["Location"] == f"{base}/{running}"
        body = await resp.json()
    assert set(body) == STATUS_KEYS and body["runtimeStatus"] == "Running"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["createdTime"])
    async with http.get(f"{base}/{done}") as resp:
        assert resp.status == 200
    assert not await host.client.get_status("unknown")  # falsy status object, no exception


async def test_show_input_defaults_to_true(host, http):
    """§2.1 get_status: showInput defaults to true on the server; showInput=false hides it."""
    iid = await host.client.start_new("two_waits", None, [1, 2])
    base = f"{host.base_url}/durabletask/instances/{iid}"
    async with http.get(base) as resp:
        assert (await resp.json())["input"] == "[1, 2]"
    async with http.get(base + "?showInput=false") as resp:
        assert (await resp.json())["input"] is None


async def test_show_history_shape(host, http):
    """§2.2 historyEvents: names not numbers, no EventId/IsPlayed, no Orchestrator* events,
    TaskScheduled merged into TaskCompleted (FunctionName, ScheduledTime), Result only with
    showHistoryOutput; the SDK puts it in the attribute `historyEvents` (trap T7)."""
    done = await start_completed(host)
    base = f"{host.base_url}/durabletask/instances/{done}"
    async with http.get(base) as resp:
        assert "historyEvents" not in await resp.json()
    async with http.get(base + "?showHistory=true") as resp:
        events = (await resp.json())["historyEvents"]
    kinds = [e["EventType"] for e in events]
    assert kinds == ["ExecutionStarted", "TaskCompleted", "EventRaised", "ExecutionCompleted"]
    completed = events[1]
    assert completed["FunctionName"] == "slow" and "ScheduledTime" in completed
    assert "Result" not in completed and "TaskScheduledId" not in completed
    assert all("EventId" not in e and "IsPlayed" not in e for e in events)
    assert events[0]["FunctionName"] == "two_waits" and "OrchestrationInstance" not in events[0]
    assert events[3]["OrchestrationStatus"] == "Completed"
    async with http.get(base + "?showHistory=true&showHistoryOutput=TRUE") as resp:
        events = (await resp.json())["historyEvents"]
    assert events[1]["Result"] == 0.2 and events[3]["Result"] == "1"
    status = await host.client.get_status(done, show_history=True, show_history_output=True)
    assert status.history is None and len(status.historyEvents) == 4


async def test_failed_status_can_answer_500(host, http):
    """§2.1 get_status: Failed is 200, or 500 with returnInternalServerErrorOnFailure=true."""
    iid = await host.client.start_new("failing")
    await host.wait_for_status(iid, "Failed")
    base = f"{host.base_url}/durabletask/instances/{iid}"
    async with http.get(base) as resp:
        assert resp.status == 200
    async with http.get(base + "?returnInternalServerErrorOnFailure=true") as resp:
        assert resp.status == 500
        assert (await resp.json())["output"] == "Orchestrator function 'failing' failed: boom"


# ---------------------------------------------------------------- list (§2.1 get_status_all/by)
async def test_list_and_filters(host, http):
    """§2.1 get_status_all / get_status_by: 200 array; runtimeStatus, instanceIdPrefix,
    createdTimeFrom/To filters; top with x-ms-continuation-token paging."""
    await host.client.start_new("two_waits", "alpha-1")
    await host.client.start_new("two_waits", "alpha-2")
    await host.client.start_new("two_waits", "beta-1")
    await host.client.raise_event("beta-1", "E", 1)
    await host.wait_for_status("beta-1", "Completed")
    everything = await host.client.get_status_all()
    assert sorted(s.instance_id for s in everything) == ["alpha-1", "alpha-2", "beta-1"]
    from datetime import timedelta

    import azure.durable_functions as df
    now = host.clock.now()
    found = await host.client.get_status_by(
        created_time_from=now - timedelta(minutes=1), created_time_to=now + timedelta(minutes=1),
        runtime_status=[df.OrchestrationRuntimeStatus.Running, df.OrchestrationRuntimeStatus.Pending],
        instance_id_prefix="alpha")
    assert sorted(s.instance_id for s in found) == ["alpha-1", "alpha-2"]
    base = f"{host.base_url}/durabletask/instances"
    async with http.get(base + "/?runtimeStatus=Completed") as resp:
        assert [s["instanceId"] for s in await resp.json()] == ["beta-1"]
    async with http.get(base + "?top=2") as resp:
        first = await resp.json()
        token = resp.headers["x-ms-continuation-token"]
    async with http.get(base + "?top=2", headers={"x-ms-continuation-token": token}) as resp:
        second = await resp.json()
    assert len(first) == 2 and len(second) == 1


async def test_pages_follow_the_continuation_token_without_skipping_or_repeating(host, http):
    """§2.1 list with `top`: each page holds at most `top`, the x-ms-continuation-token header
    names where the next starts and is absent on the last page; an instance purged between two
    pages does not shift the rest (an offset would skip p-3)."""
    for n in range(7):
        await host.client.start_new("two_waits", f"p-{n}")
    await host.client.raise_event("p-1", "E", 1)
    await host.wait_for_status("p-1", "Completed")
    base = f"{host.base_url}/durabletask/instances/?instanceIdPrefix=p-&top=3"
    async with http.get(base) as resp:
        first = [s["instanceId"] for s in await resp.json()]
        token = resp.headers["x-ms-continuation-token"]
    await host.client.purge_instance_history("p-1")
    async with http.get(base, headers={"x-ms-continuation-token": token}) as resp:
        second = [s["instanceId"] for s in await resp.json()]
        token = resp.headers["x-ms-continuation-token"]
    async with http.get(base, headers={"x-ms-continuation-token": token}) as resp:
        third = [s["instanceId"] for s in await resp.json()]
        assert "x-ms-continuation-token" not in resp.headers
    assert (first, second, third) == (["p-0", "p-1", "p-2"], ["p-3", "p-4", "p-5"], ["p-6"])


async def test_list_filters_combine_with_paging_and_show_input(host, http):
    """§2.1 list: runtimeStatus and createdTimeFrom/To narrow every page; showInput=false leaves
    input null; an exact page ends the listing without a token."""
    for n in range(4):
        await host.client.start_new("two_waits", f"q-{n}", {"n": n})
    await host.client.raise_event("q-2", "E", 1)
    await host.wait_for_status("q-2", "Completed")
    now = host.clock.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    base = (f"{host.base_url}/runtime/webhooks/durabletask/instances?runtimeStatus=Running,Pending"
            f"&createdTimeTo={now}&top=3&showInput=false")
    async with http.get(base) as resp:
        page = await resp.json()
        assert "x-ms-continuation-token" not in resp.headers
    assert [s["instanceId"] for s in page] == ["q-0", "q-1", "q-3"]
    assert all(s["input"] is None and set(s) == STATUS_KEYS for s in page)
    async with http.get(base.replace("showInput=false", "showInput=true")) as resp:
        assert [s["input"] for s in await resp.json()] == ['{"n": 0}', '{"n": 1}', '{"n": 3}']  # as the SDK sent it (T1)
    async with http.get(base.replace("createdTimeTo", "createdTimeFrom").replace(now, "2999-01-01")) as resp:
        assert await resp.json() == []


async def test_a_continuation_token_it_never_issued_is_400(host, http):
    """A token that is not ours is the caller's mistake: 400 with the argument error shape,
    never a 500 and never a silent first page."""
    await host.client.start_new("two_waits", "r-1")
    for token in ["not-a-token", "W10", "-5"]:
        async with http.get(f"{host.base_url}/durabletask/instances?top=1",
                            headers={"x-ms-continuation-token": token}) as resp:
            assert resp.status == 400
            body = await resp.json()
            assert set(body) == ERROR_KEYS and "continuation" in body["Message"]


# ---------------------------------------------------------------- terminate (§2.1, §2.3)
async def test_terminate_codes_and_result(host, http):
    """§2.1 terminate: 202 then Terminated with output = reason; 410 finished; 404 unknown;
    the SDK treats 410 as success."""
    iid = await start_waiting(host)
    await host.client.terminate(iid, "stop now")
    status = await host.wait_for_status(iid, "Terminated")
    assert status["output"] == "stop now"
    await host.client.terminate(iid, "again")  # 410: silently fine for the SDK
    url = f"{host.base_url}/durabletask/instances/{{}}/terminate?reason=x"
    async with http.post(url.format(iid)) as resp:
        assert resp.status == 410
    async with http.post(url.format("unknown")) as resp:
        assert resp.status == 404
    with pytest.raises(Exception, match="No instance with ID 'zzz' found"):
        await host.client.terminate("zzz", "x")


# ---------------------------------------------------------------- suspend/resume (§2.1, §3.4)
async def test_suspend_holds_events_and_resume_delivers_them(host, http):
    """§2.1 suspend/resume + §3.4: Suspended holds new events; resume delivers them; suspending
    twice or resuming a running instance is 500; finished 410; unknown 404."""
    iid = await start_waiting(host)
    await host.client.suspend(iid, "pause")
    assert (await host.get_status(iid))["runtimeStatus"] == "Suspended"
    url = f"{host.base_url}/durabletask/instances/{{}}/{{}}?reason=x"
    async with http.post(url.format(iid, "suspend")) as resp:
        assert resp.status == 500
    await host.client.raise_event(iid, "E", "held")
    await host.settle()
    assert (await host.get_status(iid))["runtimeStatus"] == "Suspended"
    await host.client.resume(iid, "go")
    status = await host.wait_for_status(iid, "Completed")
    assert status["output"] == '"held"'
    async with http.post(url.format(iid, "resume")) as resp:
        assert resp.status == 410
    async with http.post(url.format("unknown", "suspend")) as resp:
        assert resp.status == 404
    running = await start_waiting(host)
    async with http.post(url.format(running, "Resume")) as resp:
        assert resp.status == 500


# ---------------------------------------------------------------- restart (§2.1, trap T6)
async def test_restart_returns_the_check_status_payload(host, http):
    """§2.1 restart / T6: 202 with the payload, so the SDK returns a dict; new id by default,
    the same id with restartWithNewInstanceId=false; unknown id is 400, not 404."""
    done = await start_completed(host)
    restarted = await host.client.restart(done)
    assert isinstance(restarted, dict) and restarted["id"] != done
    assert set(restarted) == PAYLOAD_KEYS
    assert (await host.get_status(restarted["id"]))["name"] == "two_waits"
    same = await host.client.restart(done, restart_with_new_instance_id=False)
    assert same["id"] == done
    async with http.post(f"{host.base_url}/durabletask/instances/zzz/restart") as resp:
        assert resp.status == 400
        assert (await resp.json())["ExceptionType"] == "System.ArgumentException"


# ---------------------------------------------------------------- purge (§2.1)
async def test_purge_one_and_by_filter(host, http):
    """§2.1 purge_instance_history(_by): 200 {"instancesDeleted": n}; 404 when nothing was
    deleted (the SDK reports 0); 400 without createdTimeFrom."""
    a = await start_completed(host)
    b = await start_completed(host)
    running = await start_waiting(host)
    result = await host.client.purge_instance_history(a)
    assert result.instances_deleted == 1
    assert (await host.client.purge_instance_history(a)).instances_deleted == 0
    base = f"{host.base_url}/durabletask/instances"
    async with http.delete(base + "/") as resp:
        assert resp.status == 400
    async with http.delete(base + "?createdTimeFrom=2000-01-01T00:00:00Z") as resp:
        assert resp.status == 200
        assert await resp.json() == {"instancesDeleted": 1}
    async with http.delete(base + "?createdTimeFrom=2000-01-01T00:00:00Z") as resp:
        assert resp.status == 404
    assert await host.get_status(b) is None
    assert (await host.get_status(running))["runtimeStatus"] == "Running"


# ---------------------------------------------------------------- rewind, routing (§2.1)
async def test_rewind_codes(host, http):
    """§2.1 rewind: 404 unknown; 410 unless the instance failed."""
    done = await start_completed(host)
    with pytest.raises(Exception, match="No instance with ID zzz found"):
        await host.client.rewind("zzz", "x")
    with pytest.raises(Exception, match="only supported on failed"):
        await host.client.rewind(done, "x")


@pytest.mark.parametrize("method, path", [
    ("GET", "/orchestrators/two_waits"), ("PUT", "/instances/x"), ("GET", "/instances/x/terminate"),
    ("POST", "/instances/x/explode"), ("GET", "/entities/x/y"), ("GET", "/"),
])
async def test_unknown_routes_and_wrong_methods_are_404(host, http, method, path):
    """§2.1 routing: unknown routes and wrong methods answer 404."""
    async with http.request(method, f"{host.base_url}/durabletask{path}") as resp:
        assert resp.status == 404


async def test_every_check_status_url_works_with_plain_http(host, http):
    """§2.4: every URL of create_check_status_response works as given (curl-style)."""
    async with http.post(f"{host.base_url}/api/orchestrators/two_waits") as resp:
        urls = await resp.json()
    fill = lambda u: u.replace("{eventName}", "E").replace("{text}", "why")  # noqa: E731
    async with http.get(fill(urls["statusQueryGetUri"])) as resp:
        assert resp.status == 202
    for key in ("suspendPostUri", "resumePostUri"):
        async with http.post(fill(urls[key])) as resp:
            assert resp.status == 202, key
    async with http.post(fill(urls["rewindPostUri"])) as resp:
        assert resp.status == 410
    async with http.post(fill(urls["terminatePostUri"])) as resp:
        assert resp.status == 202
    assert (await host.get_status(urls["id"]))["output"] == "why"
    async with http.post(fill(urls["restartPostUri"])) as resp:
        assert resp.status == 202
    async with http.post(fill(urls["sendEventPostUri"]), json=1) as resp:
        assert resp.status == 410
    async with http.delete(fill(urls["purgeHistoryDeleteUri"])) as resp:
        assert resp.status == 200
