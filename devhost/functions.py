"""The index of an app's functions: what the Functions host builds from `app.get_functions()`."""
from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from azure.functions.decorators.function_app import FunctionRegister
from azure.functions.decorators.utils import StringifyEnumJsonEncoder

from .worker_index import indexed_functions

log = logging.getLogger("devhost")


@dataclass(frozen=True)
class HttpFunction:
    name: str
    route: str
    methods: frozenset[str] | None  # None: every method
    request_param: str
    client_param: str | None
    wants_context: bool
    call: Callable[..., Any]
    auth_level: str = "FUNCTION"  # ANONYMOUS, FUNCTION or ADMIN, as the trigger declares

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.call)


@dataclass(frozen=True)
class ActivityFunction:
    name: str
    input_param: str
    call: Callable[..., Any]
    wants_context: bool = False
    client_param: str | None = None  # a durable_client_input parameter, as on HTTP functions


@dataclass(frozen=True)
class OrchestratorFunction:
    name: str
    handle: Callable[..., Any]  # the SDK handle registered by orchestration_trigger


@dataclass(frozen=True)
class EntityFunction:
    name: str                   # lower case, as the extension's EntityId keeps it
    call: Callable[..., Any]    # the handle Entity.create made: takes the EntityContext datum
    function_name: str = ""     # as `func start` lists it


@dataclass
class FunctionIndex:
    http: list[HttpFunction] = field(default_factory=list)
    activities: dict[str, ActivityFunction] = field(default_factory=dict)  # key: lower-case name
    orchestrators: dict[str, OrchestratorFunction] = field(default_factory=dict)
    entities: dict[str, EntityFunction] = field(default_factory=dict)  # key: lower-case name
    unsupported: list[tuple[str, str]] = field(default_factory=list)  # (function, trigger type)

    def orchestrator(self, name: str) -> OrchestratorFunction | None:
        return self.orchestrators.get(name.lower())

    def activity(self, name: str) -> ActivityFunction | None:
        return self.activities.get(name.lower())

    def entity(self, name: str) -> EntityFunction | None:
        return self.entities.get(name.lower())


def _bindings(fn: Any) -> list[dict]:
    return [json.loads(json.dumps(b.get_dict_repr(), cls=StringifyEnumJsonEncoder))
            for b in fn.get_bindings()]


def _original_signature(call: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(getattr(call, "client_function", call))


def build_index(app: FunctionRegister) -> FunctionIndex:
    """The functions devhost runs, from an app that passes the worker's index-time checks."""
    index = FunctionIndex()
    for fn in indexed_functions(app):
        name = str(fn.get_function_name())
        bindings = _bindings(fn)
        found = next((b for b in bindings if b["type"].lower().endswith("trigger")), None)
        trigger: dict[str, Any] = found or {}
        call = fn.get_user_function()
        kind = str(trigger.get("type", "none"))
        client = next((b["name"] for b in bindings if b["type"] == "durableClient"), None)
        if kind == "httpTrigger":
            methods = trigger.get("methods")
            index.http.append(HttpFunction(
                name=name,
                route=str(trigger.get("route") or name),
                methods=frozenset(m.upper() for m in methods) if methods else None,
                request_param=trigger["name"],
                client_param=client,
                wants_context="context" in _original_signature(call).parameters,
                call=call,
                auth_level=str(trigger.get("authLevel") or "FUNCTION").upper()))
        elif kind == "orchestrationTrigger":
            oname = str(trigger.get("orchestration") or name)
            index.orchestrators[oname.lower()] = OrchestratorFunction(oname, call)
        elif kind == "activityTrigger":
            aname = str(trigger.get("activity") or name)
            wants_context = (trigger["name"] != "context"
                             and "context" in _original_signature(call).parameters)
            index.activities[aname.lower()] = ActivityFunction(aname, trigger["name"], call,
                                                               wants_context, client)
        elif kind == "entityTrigger":
            ename = str(trigger.get("entityName") or name).lower()
            index.entities[ename] = EntityFunction(ename, call, name)
        else:
            index.unsupported.append((name, kind))
            log.warning("function %s: trigger %s is not supported by devhost; skipped", name, kind)
    return index
