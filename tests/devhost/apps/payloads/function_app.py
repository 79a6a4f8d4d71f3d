"""Payloads of every JSON type, and a class with to_json/from_json, carried across every hop.

Each orchestrator reports what arrived as `describe(value)`: the Python type name and the value
(a class instance by its to_json data), so a test sees both the type and the value."""
import json

import azure.durable_functions as df
import azure.functions as func
from azure.functions._durable_functions import df_dumps

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


class Point:
    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    @staticmethod
    def to_json(obj: "Point") -> dict:
        return {"x": obj.x, "y": obj.y}

    @staticmethod
    def from_json(data: dict) -> "Point":
        return Point(data["x"], data["y"])


SAMPLES = {"string": "hi", "number": 5, "float": 1.5, "bool": True, "null": None,
           "list": [1, "a"], "object": {"a": 1}, "class": Point(3, 4)}


def describe(value) -> dict:
    if isinstance(value, Point):
        return {"type": "Point", "value": Point.to_json(value)}
    return {"type": type(value).__name__, "value": value}


@app.route(route="start/{orchestrator}/{kind}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def start(req: func.HttpRequest, client) -> func.HttpResponse:
    """Starts `orchestrator` with the sample of `kind` (`?wrap=1`: inside {"first": ...})."""
    value = SAMPLES[req.route_params["kind"]]
    if req.params.get("wrap"):
        value = {"first": value}
    instance_id = await client.start_new(req.route_params["orchestrator"], None, value)
    return func.HttpResponse(json.dumps({"id": instance_id}), mimetype="application/json")


@app.route(route="raise/{instance_id}/{kind}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def raise_sample(req: func.HttpRequest, client) -> func.HttpResponse:
    """Raises event `payload` with the sample of `kind` through the Python client."""
    try:
        await client.raise_event(req.route_params["instance_id"], "payload",
                                 SAMPLES[req.route_params["kind"]])
    except TypeError as exc:  # the client json.dumps the data: a class cannot be sent
        return func.HttpResponse(json.dumps({"error": f"TypeError: {exc}"}), status_code=400,
                                 mimetype="application/json")
    return func.HttpResponse(status_code=202)


@app.route(route="envelope/{kind}", methods=["GET"])
def envelope(req: func.HttpRequest) -> func.HttpResponse:
    """The sample of `kind` as the SDK serializes it (df_dumps)."""
    return func.HttpResponse(df_dumps(SAMPLES[req.route_params["kind"]]),
                             mimetype="application/json")


@app.orchestration_trigger(context_name="context")
def start_input(context: df.DurableOrchestrationContext):
    return describe(context.get_input())


@app.orchestration_trigger(context_name="context")
def through_activity(context: df.DurableOrchestrationContext):
    value = context.get_input()
    received = yield context.call_activity("describe_input", value)
    returned = yield context.call_activity("echo", value)
    return {"input": received, "output": describe(returned)}


@app.orchestration_trigger(context_name="context")
def through_sub_orchestration(context: df.DurableOrchestrationContext):
    value = context.get_input()
    received = yield context.call_sub_orchestrator("start_input", value,
                                                   f"{context.instance_id}-child")
    try:
        returned = yield context.call_sub_orchestrator("echo_orchestrator", value)
    except Exception as exc:  # the SDK refuses an output plain json.dumps cannot write
        return {"input": received, "error": str(exc).split(" \n ")[0]}
    return {"input": received, "output": describe(returned)}


@app.orchestration_trigger(context_name="context")
def echo_orchestrator(context: df.DurableOrchestrationContext):
    return context.get_input()


@app.orchestration_trigger(context_name="context")
def through_continue_as_new(context: df.DurableOrchestrationContext):
    """Started with {"first": sample}; continues as new with the bare sample."""
    value = context.get_input()
    if isinstance(value, dict) and "first" in value:
        context.continue_as_new(value["first"])
        return None
    return describe(value)
    yield  # a generator, as every orchestrator


@app.orchestration_trigger(context_name="context")
def custom_status(context: df.DurableOrchestrationContext):
    context.set_custom_status(context.get_input())
    event = yield context.wait_for_external_event("payload")
    return describe(event)


@app.activity_trigger(input_name="value")
def describe_input(value):
    return describe(value)


@app.activity_trigger(input_name="value")
def echo(value):
    return value
