"""One batch of operations on one entity, through the real SDK, as the worker runs it.

The extension hands a Python entity function one JSON text per batch (EntityTriggerAttribute-
BindingProvider: `{"self": {name, key}, "exists", "state", "batch": [{name, input, isSignal}]}`)
and reads back the SDK's EntityState JSON (`entityExists`, `entityState`, `results` with one
`{isError, result, ...}` per operation, `signals`). The handle made by `Entity.create` runs every
operation of the batch in order and catches each operation's exception itself.
"""
from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from azure.functions import meta
from azure.functions.durable_functions import EnitityTriggerConverter

from .functions import EntityFunction

log = logging.getLogger("devhost")


@dataclass(frozen=True)
class OperationOutcome:
    result: str | None      # JSON text (df_dumps of the value, or of the error message)
    is_error: bool = False


@dataclass
class BatchOutcome:
    exists: bool
    state: str | None                   # JSON text; None when the entity does not exist
    results: list[OperationOutcome]
    signals: list[dict[str, Any]] = field(default_factory=list)  # {target, name, input}


def context_json(name: str, key: str, state: str | None, requests: list[dict[str, Any]]) -> str:
    return json.dumps({
        "self": {"name": name, "key": key},
        "exists": state is not None,
        "state": state,
        "batch": [{"name": r.get("op", ""), "input": r.get("input"),
                   "isSignal": bool(r.get("signal"))} for r in requests],
    })


def failed_batch(state: str | None, count: int, message: str) -> BatchOutcome:
    """Every operation fails with `message` and the state stays as it was."""
    text = json.dumps(message)
    return BatchOutcome(state is not None, state, [OperationOutcome(text, True)] * count)


def _parse(raw: str, count: int, state: str | None) -> BatchOutcome:
    body = json.loads(raw)
    results = [OperationOutcome(r.get("result"), bool(r.get("isError")))
               for r in body.get("results") or []]
    if len(results) != count:
        return failed_batch(state, count, f"the entity function returned {len(results)} "
                                          f"results for {count} operations")
    exists = bool(body.get("entityExists"))
    return BatchOutcome(exists, body.get("entityState") if exists else None, results,
                        list(body.get("signals") or []))


async def run_batch(fn: EntityFunction, key: str, state: str | None,
                    requests: list[dict[str, Any]], executor: Executor | None) -> BatchOutcome:
    """Run `requests` on the entity; a failure of the whole call fails every operation."""
    body = context_json(fn.name, key, state, requests)

    def call() -> Any:
        datum = EnitityTriggerConverter.decode(meta.Datum(type="json", value=body),
                                               trigger_metadata={})
        return fn.call(datum)

    try:
        raw = await asyncio.get_running_loop().run_in_executor(executor, call)
        if not isinstance(raw, str):
            raise TypeError(f"the entity function returned {type(raw).__name__}, not the "
                            "SDK's JSON (is it registered with entity_trigger?)")
        return _parse(raw, len(requests), state)
    except Exception as exc:
        log.warning("entity %s@%s: the batch failed: %s: %s", fn.name, key,
                    type(exc).__name__, exc)
        return failed_batch(state, len(requests),
                            f"Entity function '{fn.name}' failed: {type(exc).__name__}: {exc}")
