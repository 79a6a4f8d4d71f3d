"""Durable client bindings on functions that are not HTTP-triggered."""
import json

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="management/{instance_id}", methods=["GET"])
@app.durable_client_input(client_name="client")
async def management(req: func.HttpRequest, client) -> func.HttpResponse:
    """The management payload an HTTP function's client builds, to compare with an activity's."""
    payload = client.create_http_management_payload(req.route_params["instance_id"])
    return func.HttpResponse(json.dumps(payload), mimetype="application/json")


@app.orchestration_trigger(context_name="context")
def spawner(context: df.DurableOrchestrationContext):
    """Asks an activity with a durable client to start a child and report on this instance."""
    return (yield context.call_activity("spawn", context.instance_id))


@app.orchestration_trigger(context_name="context")
def spawned(context: df.DurableOrchestrationContext):
    return f"spawned with {context.get_input()}"
    yield  # a generator, as every orchestrator


@app.activity_trigger(input_name="parent_id")
@app.durable_client_input(client_name="starter")
async def spawn(parent_id: str, starter: df.DurableOrchestrationClient) -> dict:
    child_id = await starter.start_new("spawned", f"{parent_id}-spawned", parent_id)
    parent = await starter.get_status(parent_id)
    return {"child_id": child_id, "parent_status": parent.runtime_status.value,
            "payload": starter.create_http_management_payload(parent_id)}
