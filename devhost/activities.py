"""Run one activity the way the worker does: input through the SDK's converter, output back.

Sync activities run in a thread pool, async ones on the event loop, so a slow activity never
blocks the HTTP server or other instances. Exceptions become TaskFailed fields (§5.1).
"""
from __future__ import annotations

import asyncio
import inspect
import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from azure.functions import meta
from azure.functions.durable_functions import ActivityTriggerConverter

from .functions import ActivityFunction
from .invocation import InvocationContext

log = logging.getLogger("devhost")


@dataclass(frozen=True)
class ActivityOutcome:
    result: str | None = None      # JSON text for TaskCompleted.Result
    reason: str | None = None      # set when the activity failed
    details: str | None = None

    @property
    def failed(self) -> bool:
        return self.reason is not None


def unknown_activity(name: str, known: list[str]) -> ActivityOutcome:
    names = ", ".join(f"'{n}'" for n in known)
    return ActivityOutcome(
        reason=f"The function '{name}' doesn't exist, is disabled, or is not an activity "
               "function. Additional info: The following are the known activity functions: "
               f"{names}.",
        details="")


async def run_activity(fn: ActivityFunction, input_json: str | None, executor: Executor | None,
                       client_binding: Callable[[], str]) -> ActivityOutcome:
    """`client_binding` gives the durable client JSON for a `durable_client_input` parameter:
    the Functions host binds it on any trigger, with the same JSON as on HTTP functions."""
    try:
        arg = ActivityTriggerConverter.decode(
            meta.Datum(type="string", value=input_json if input_json is not None else "null"),
            trigger_metadata={})
        kwargs: dict[str, Any] = {fn.input_param: arg}
        if fn.client_param:
            kwargs[fn.client_param] = client_binding()
        if fn.wants_context:
            kwargs["context"] = InvocationContext(fn.name)
        if inspect.iscoroutinefunction(fn.call):
            ret = await fn.call(**kwargs)
        else:
            loop = asyncio.get_running_loop()
            ret = await loop.run_in_executor(executor, lambda: fn.call(**kwargs))
        datum = ActivityTriggerConverter.encode(ret, expected_type=None)
        return ActivityOutcome(result=datum.value if datum is not None else None)
    except Exception as exc:
        log.warning("activity %s failed: %s: %s", fn.name, type(exc).__name__, exc)
        return ActivityOutcome(
            reason=f"Activity function '{fn.name}' failed: {type(exc).__name__}: {exc}",
            details="".join(traceback.format_exception(exc)))
