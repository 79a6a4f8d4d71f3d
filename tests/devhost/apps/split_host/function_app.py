"""The split host's app: an orchestration that says which process ran its activity
(test_background_process.py), and one that a second writer suspends or terminates while its
episode runs, as the HTTP process can while the background worker replays (test_two_writers.py)."""
import os
from pathlib import Path

import azure.durable_functions as df
import azure.functions as func

from devhost.clock import SystemClock
from devhost.engine import Engine
from devhost.functions import build_index
from devhost.operations import Operations
from devhost.sqlite_store import SqliteStore

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
INTERRUPTED: set[str] = set()


def interrupt(db: str, instance_id: str, action: str) -> None:
    """Suspend or terminate the instance through another connection, once."""
    if instance_id in INTERRUPTED:
        return
    INTERRUPTED.add(instance_id)
    store = SqliteStore(Path(db), joined=True)
    try:
        operations = Operations(Engine(store, SystemClock(), build_index(df.DFApp())))
        getattr(operations, action)(instance_id, "by the other writer")
    finally:
        store.close()


@app.orchestration_trigger(context_name="context")
def interrupted(context: df.DurableOrchestrationContext):
    job = context.get_input()
    interrupt(job["db"], context.instance_id, job["action"])
    shouted = yield context.call_activity("shout", "hi")
    return shouted


@app.activity_trigger(input_name="text")
def shout(text: str) -> str:
    return text.upper()


@app.orchestration_trigger(context_name="context")
def whereabouts(context: df.DurableOrchestrationContext):
    pid = yield context.call_activity("where", None)
    return pid


@app.activity_trigger(input_name="nothing")
def where(nothing: None) -> int:
    return os.getpid()
