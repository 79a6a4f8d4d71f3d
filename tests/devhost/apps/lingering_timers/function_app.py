"""Sample app for devhost tests: orchestrators that return while durable timers are armed."""
from datetime import timedelta

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.orchestration_trigger(context_name="context")
def race(context: df.DurableOrchestrationContext):
    """The first of a "decision" event and timers (`timeouts`, seconds). The timers are cancelled
    only when `cancel` is set; with `after_first`, they are created after a "first" event."""
    spec = context.get_input()
    if spec.get("after_first"):
        yield context.wait_for_external_event("first")
    start = context.current_utc_datetime
    timers = [context.create_timer(start + timedelta(seconds=s)) for s in spec["timeouts"]]
    decision = context.wait_for_external_event("decision")
    context.set_custom_status("waiting")
    winner = yield context.task_any([decision, *timers])
    if spec.get("cancel"):
        for timer in timers:
            if not timer.is_completed:
                timer.cancel()
    context.set_custom_status("done")
    return {"decision": decision.result if winner is decision else None}


@app.orchestration_trigger(context_name="context")
def parent(context: df.DurableOrchestrationContext):
    """Runs `race` as a sub-orchestration and returns what it returned."""
    return (yield context.call_sub_orchestrator("race", context.get_input(), "child-of-parent"))
