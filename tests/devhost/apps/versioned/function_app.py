"""Sample app for the versioning conformance tests: orchestrators that branch on context.version.

The tests copy this directory and write the host.json each scenario needs (defaultVersion,
versionMatchStrategy, versionFailureStrategy), as a deployment would change it.
"""
import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.orchestration_trigger(context_name="context")
def report_version(context: df.DurableOrchestrationContext):
    return {"version": context.version}


@app.orchestration_trigger(context_name="context")
def branching(context: df.DurableOrchestrationContext):
    """Old instances keep the old path; new ones take the new one (the documented pattern)."""
    step = "step_a" if context.version == "1.0" else "step_b"
    result = yield context.call_activity(step, None)
    return {"version": context.version, "result": result}


@app.orchestration_trigger(context_name="context")
def parent(context: df.DurableOrchestrationContext):
    """Waits for "go", then calls a child with an explicit version and one with none."""
    context.set_custom_status("waiting")
    yield context.wait_for_external_event("go")
    explicit = yield context.call_sub_orchestrator("report_version", None, version="0.9")
    default = yield context.call_sub_orchestrator("report_version")
    return {"parent": context.version, "explicit": explicit["version"],
            "default": default["version"]}


@app.orchestration_trigger(context_name="context")
def calls_child(context: df.DurableOrchestrationContext):
    """Calls a child started with the version given as input (a failing child is reported)."""
    try:
        child = yield context.call_sub_orchestrator("report_version", None,
                                                    version=context.get_input())
    except Exception as exc:  # noqa: BLE001 - the failure is the result under test
        return {"failed": str(exc)}
    return {"child": child["version"]}


@app.orchestration_trigger(context_name="context")
def waits(context: df.DurableOrchestrationContext):
    """Waits for "go", then finishes with its version."""
    context.set_custom_status("waiting")
    yield context.wait_for_external_event("go")
    return {"version": context.version}


@app.orchestration_trigger(context_name="context")
def renews(context: df.DurableOrchestrationContext):
    """Continues as new once; the second execution reports the version it got."""
    generation = context.get_input() or 0
    if generation == 0:
        context.continue_as_new(1)
        return None
    return {"generation": generation, "version": context.version}


@app.activity_trigger(input_name="unused")
def step_a(unused: None) -> str:
    return "a"


@app.activity_trigger(input_name="unused")
def step_b(unused: None) -> str:
    return "b"
