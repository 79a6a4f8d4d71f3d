"""App for the access tests: one function per auth level, each able to change something."""
import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)


@app.route(route="start", methods=["POST"])
@app.durable_client_input(client_name="client")
async def start(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """FUNCTION level: starts an instance through the durable client (the loopback URL)."""
    instance_id = await client.start_new("waiting", None, req.get_body().decode() or None)
    return client.create_check_status_response(req, instance_id)


@app.route(route="hook", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@app.durable_client_input(client_name="client")
async def hook(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """ANONYMOUS, like the Slack endpoints: it checks its callers itself."""
    instance_id = await client.start_new("waiting", None, "hook")
    return func.HttpResponse(instance_id, status_code=202)


@app.route(route="ops/ping", methods=["GET"], auth_level=func.AuthLevel.ADMIN)
def admin_ping(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("pong")


@app.orchestration_trigger(context_name="context")
def waiting(context: df.DurableOrchestrationContext):
    decision = yield context.wait_for_external_event("decision")
    return {"input": context.get_input(), "decision": decision}
