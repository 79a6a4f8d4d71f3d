"""A small app whose activity fails: the dashboard must show failures, retries and their reasons."""
import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=2000, max_number_of_attempts=2)


@app.orchestration_trigger(context_name="context")
def charge_card(context: df.DurableOrchestrationContext):
    receipt = yield context.call_activity_with_retry("charge", RETRY, context.get_input())
    return receipt


@app.activity_trigger(input_name="amount")
def charge(amount: float) -> str:
    raise ValueError(f"card declined for {amount}")
