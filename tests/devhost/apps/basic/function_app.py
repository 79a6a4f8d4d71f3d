"""Sample app for devhost tests: HTTP triggers and the durable features devhost must run."""
import asyncio
import json
import os
import threading
from datetime import timedelta

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
ATTEMPTS: dict[str, int] = {}
_lock = threading.Lock()


# ---------------------------------------------------------------- HTTP triggers
@app.route(route="hello/{name?}", methods=["GET"])
def hello(req: func.HttpRequest) -> func.HttpResponse:
    name = req.route_params.get("name") or req.params.get("name") or "world"
    return func.HttpResponse(f"Hello {name}", headers={"X-Greeting": "yes"})


@app.route(route="items/{id:int}", methods=["GET", "PUT"])
async def item(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(json.dumps({"id": req.route_params["id"], "method": req.method}),
                             mimetype="application/json", status_code=201)


@app.route(route="echo", methods=["POST"])
async def echo(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(json.dumps({
        "body": req.get_body().decode(), "query": dict(req.params),
        "header": req.headers.get("x-custom"), "url": req.url, "env": os.environ.get("SAMPLE_SETTING"),
    }), mimetype="application/json")


@app.route(route="boom")
def boom(req: func.HttpRequest) -> func.HttpResponse:
    raise RuntimeError("secret detail that must not leak")


@app.route(route="orchestrators/{name}/{instance_id?}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def http_start(req: func.HttpRequest, client) -> func.HttpResponse:
    body = req.get_body()
    instance_id = await client.start_new(req.route_params["name"],
                                         req.route_params.get("instance_id"),
                                         json.loads(body) if body else None)
    return client.create_check_status_response(req, instance_id)


# ---------------------------------------------------------------- orchestrators
@app.orchestration_trigger(context_name="context")
def approval(context: df.DurableOrchestrationContext):
    data = context.get_input() or {}
    greeting = yield context.call_activity("say_hello", data.get("name", "x"))
    context.set_custom_status({"stage": "waiting"})
    timer = context.create_timer(context.current_utc_datetime
                                 + timedelta(seconds=data.get("timeout", 3600)))
    decision = context.wait_for_external_event("decision")
    winner = yield context.task_any([decision, timer])
    if winner == decision:
        timer.cancel()
        outcome = yield context.call_activity("async_hello", "decided")
        context.set_custom_status({"stage": "done"})
        return {"greeting": greeting, "decision": decision.result, "outcome": outcome}
    yield context.call_activity("say_hello", "escalated")
    context.set_custom_status({"stage": "done"})
    return {"greeting": greeting, "decision": None}


@app.orchestration_trigger(context_name="context")
def retrying(context: df.DurableOrchestrationContext):
    data = context.get_input()
    opts = df.RetryOptions(first_retry_interval_in_milliseconds=1000, max_number_of_attempts=3)
    try:
        result = yield context.call_activity_with_retry("flaky", opts, data)
    except Exception as exc:
        return {"failed": str(exc).splitlines()[0]}
    return {"result": result}


@app.orchestration_trigger(context_name="context")
def fan_out(context: df.DurableOrchestrationContext):
    tasks = [context.call_activity("say_hello", str(i)) for i in range(5)]
    timer = context.create_timer(context.current_utc_datetime + timedelta(hours=1))
    inner = context.task_any([context.wait_for_external_event("go"), timer])
    child = context.call_sub_orchestrator("child", {"k": 1})
    results = yield context.task_all([context.task_all(tasks), inner, child])
    timer.cancel()  # else the instance would stay Running until the hour is up
    return {"hellos": results[0], "child": results[2]}


@app.orchestration_trigger(context_name="context")
def child(context: df.DurableOrchestrationContext):
    data = context.get_input()
    first = yield context.call_activity("say_hello", "child")
    return {"input": data, "first": first, "parent": context.parent_instance_id}


@app.orchestration_trigger(context_name="context")
def failing_child(context: df.DurableOrchestrationContext):
    yield context.call_activity("say_hello", "x")
    raise ValueError("child broke")


@app.orchestration_trigger(context_name="context")
def parent_with_retry(context: df.DurableOrchestrationContext):
    opts = df.RetryOptions(first_retry_interval_in_milliseconds=500, max_number_of_attempts=2)
    try:
        yield context.call_sub_orchestrator_with_retry("failing_child", opts, None)
    except Exception as exc:
        return "caught: " + str(exc).splitlines()[0]
    return "no error"


@app.orchestration_trigger(context_name="context")
def counter(context: df.DurableOrchestrationContext):
    n = context.get_input() or 0
    yield context.create_timer(context.current_utc_datetime + timedelta(seconds=1))
    if n < 3:
        context.continue_as_new(n + 1)
        return None
    return n


@app.orchestration_trigger(context_name="context")
def stable(context: df.DurableOrchestrationContext):
    """Time and uuid taken before the first yield, recomputed by every replay."""
    seen = f"{context.current_utc_datetime.isoformat()} {context.new_uuid()}"
    recorded = yield context.call_activity("say_hello", seen)  # the first episode's values
    yield context.wait_for_external_event("go")
    return {"recorded": recorded, "replayed": f"Hello {seen}!",
            "now": context.current_utc_datetime.isoformat()}


@app.orchestration_trigger(context_name="context")
def two_waits(context: df.DurableOrchestrationContext):
    yield context.call_activity("slow", 0.2)
    a = yield context.wait_for_external_event("E")
    return a


@app.orchestration_trigger(context_name="context")
def failing(context: df.DurableOrchestrationContext):
    yield context.call_activity("say_hello", "x")
    raise ValueError("boom")


@app.orchestration_trigger(context_name="context")
def activity_fails(context: df.DurableOrchestrationContext):
    try:
        yield context.call_activity("always_fails", "x")
    except Exception as exc:
        return str(exc).splitlines()[0]


@app.orchestration_trigger(context_name="context")
def context_activity(context: df.DurableOrchestrationContext):
    return (yield context.call_activity("with_context", "hi"))


@app.orchestration_trigger(context_name="context")
def uses_http(context: df.DurableOrchestrationContext):
    yield context.call_http("GET", "https://example.com")


@app.orchestration_trigger(context_name="context")
def long_sleep(context: df.DurableOrchestrationContext):
    yield context.create_timer(context.current_utc_datetime + timedelta(days=7))
    return context.current_utc_datetime.isoformat()


@app.orchestration_trigger(context_name="context")
def gated(context: df.DurableOrchestrationContext):
    return (yield context.call_activity("blocking", None))


@app.route(route="release", methods=["POST"])
def release(req: func.HttpRequest) -> func.HttpResponse:
    GATE.set()
    return func.HttpResponse("released")


# ---------------------------------------------------------------- activities
GATE = threading.Event()


@app.activity_trigger(input_name="unused")
def blocking(unused: None) -> str:
    """A sync activity that blocks its thread until POST /api/release."""
    return "released" if GATE.wait(30) else "timed out"


@app.activity_trigger(input_name="name")
def say_hello(name: str) -> str:
    return f"Hello {name}!"


@app.activity_trigger(input_name="name")
async def async_hello(name: str) -> str:
    await asyncio.sleep(0)
    return f"Async hello {name}!"


@app.activity_trigger(input_name="spec")
def flaky(spec: dict) -> str:
    """Fails `spec["failures"]` times for key `spec["key"]`, then succeeds."""
    with _lock:
        ATTEMPTS[spec["key"]] = ATTEMPTS.get(spec["key"], 0) + 1
        attempt = ATTEMPTS[spec["key"]]
    if attempt <= spec["failures"]:
        raise RuntimeError(f"attempt {attempt} failed")
    return f"ok after {attempt}"


@app.activity_trigger(input_name="seconds")
async def slow(seconds: float) -> float:
    await asyncio.sleep(seconds)
    return seconds


@app.activity_trigger(input_name="name")
def with_context(name: str, context: func.Context) -> str:
    return f"{name} in {context.function_name}"


@app.activity_trigger(input_name="x")
def always_fails(x: str) -> str:
    raise KeyError("nope")
