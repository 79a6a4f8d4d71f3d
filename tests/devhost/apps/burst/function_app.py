"""App for the requests-first tests: an HTTP function that takes many steps, orchestrations whose activity takes
many steps (background work), and one that waits for a decision (what a click raises)."""
import asyncio

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="steps/{count:int}", methods=["GET"])
async def steps(req: func.HttpRequest) -> func.HttpResponse:
    """A request that takes many loop turns, as a Slack command does (Bolt, the durable client)."""
    count = int(req.route_params["count"])
    for _ in range(count):
        await asyncio.sleep(0)
    return func.HttpResponse(str(count))


@app.orchestration_trigger(context_name="context")
def busy(context: df.DurableOrchestrationContext):
    return (yield context.call_activity("many_steps", 40))


@app.activity_trigger(input_name="steps")
async def many_steps(steps: int) -> int:
    for _ in range(steps):
        await asyncio.sleep(0)
    return steps


@app.orchestration_trigger(context_name="context")
def decided(context: df.DurableOrchestrationContext):
    return (yield context.wait_for_external_event("decision"))
