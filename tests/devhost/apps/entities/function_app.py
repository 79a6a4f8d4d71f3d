"""Sample app for devhost's entity tests: a counter, a month-to-date spend per requester, and
orchestrations that call and signal them."""
import time

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.entity_trigger(context_name="context")
def Counter(context: df.DurableEntityContext) -> None:
    value = context.get_state(lambda: 0)
    operation = context.operation_name
    if operation == "add":
        context.set_state(value + context.get_input())
    elif operation == "slow_add":  # long enough that a kill lands in the middle of a batch
        time.sleep(0.02)
        context.set_state(value + context.get_input())
    elif operation == "get":
        context.set_result(value)
    elif operation == "delete":
        context.destruct_on_exit()
    elif operation == "fail":
        raise ValueError("the counter refuses")
    else:
        raise ValueError(f"no operation {operation}")


@app.entity_trigger(context_name="context", entity_name="MonthToDate")
def month_to_date(context: df.DurableEntityContext) -> None:
    """Approved spend of one requester in one month (key `<requester>:<yyyy-mm>`)."""
    spent = context.get_state(lambda: {"total": 0, "requests": 0})
    if context.operation_name == "approved":
        spent = {"total": spent["total"] + context.get_input(), "requests": spent["requests"] + 1}
        context.set_state(spent)
    context.set_result(spent)


@app.orchestration_trigger(context_name="context")
def call_counter(context: df.DurableOrchestrationContext):
    data = context.get_input()
    counter = df.EntityId("Counter", data["key"])
    yield context.call_entity(counter, "add", data["amount"])
    total = yield context.call_entity(counter, "get")
    return {"total": total}


@app.orchestration_trigger(context_name="context")
def signal_counter(context: df.DurableOrchestrationContext):
    data = context.get_input()
    target = df.EntityId(data.get("entity", "Counter"), data["key"])
    context.signal_entity(target, data.get("op", "add"), data["amount"])
    return "signalled"


@app.orchestration_trigger(context_name="context")
def failing_call(context: df.DurableOrchestrationContext):
    try:
        yield context.call_entity(df.EntityId("Counter", "x"), "fail")
    except Exception as exc:
        return f"caught: {exc}"
    return "not raised"


@app.orchestration_trigger(context_name="context")
def approve(context: df.DurableOrchestrationContext):
    """The approval's last step: add the approved amount to the requester's month."""
    data = context.get_input()
    month = df.EntityId("MonthToDate", f"{data['requester']}:{data['month']}")
    if data.get("call"):
        spent = yield context.call_entity(month, "approved", data["amount"])
        return spent
    context.signal_entity(month, "approved", data["amount"])
    if data.get("wait"):
        yield context.wait_for_external_event("done")
    yield context.call_activity("noop", None)
    return "recorded"


@app.orchestration_trigger(context_name="context")
def signal_then_fail(context: df.DurableOrchestrationContext):
    yield context.call_activity("noop", None)
    context.signal_entity(df.EntityId("Counter", "failed"), "add", 1)
    raise ValueError("after the signal")


@app.orchestration_trigger(context_name="context")
def tally(context: df.DurableOrchestrationContext):
    """Signal once per round, continuing as new until the rounds are used up."""
    data = context.get_input()
    context.signal_entity(df.EntityId("Counter", data["key"]), "add", 1)
    if data["rounds"] > 1:
        context.continue_as_new({"key": data["key"], "rounds": data["rounds"] - 1})
        return None
    return "done"


@app.activity_trigger(input_name="x")
def noop(x):
    return x


@app.orchestration_trigger(context_name="context")
def unknown_entity(context: df.DurableOrchestrationContext):
    yield context.call_entity(df.EntityId("Nobody", "k"), "get")
    return "not raised"


@app.entity_trigger(context_name="context")
def Journal(context: df.DurableEntityContext) -> None:
    """Every operation appends its name and input: the order operations ran in."""
    entries = context.get_state(list)
    entries.append([context.operation_name, context.get_input()])
    context.set_state(entries)


@app.entity_trigger(context_name="context")
def Blob(context: df.DurableEntityContext) -> None:
    """`grow` n: the state becomes n more characters (a small operation, a large new state)."""
    context.set_state(context.get_state(str) + "x" * context.get_input())
