"""The index-time rules of the Python worker and the Functions host: an app they refuse, devhost
refuses at start, with their message, instead of starting and answering 500 later.

The worker indexes a v2 app with `app.get_functions()` (which itself refuses duplicate function
names and functions without a trigger) and registers every function
(`Registry.add_indexed_function` in azure_functions_worker/functions.py): the Python parameters
must be exactly the declared binding names (`$return` aside), plus an optional `context` that, if
annotated, is an `azure.functions.Context`; a binding's direction must match an
`azure.functions.Out` annotation; an annotated parameter must suit its binding's converter. Any
violation is a `FunctionLoadError` ("cannot load the <function> function: ...") and the host
loads none of the app's functions. The host then checks HTTP routes (`ScriptHost.ValidateFunction`
in azure-functions-host): no two functions on the same route with overlapping methods, and none
under the reserved `admin` or `runtime` space.
"""
from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any

from azure.functions import meta
from azure.functions.decorators.core import BindingDirection
from azure.functions.decorators.function_app import Function, FunctionRegister

from .app_loader import AppLoadError

RESERVED_ROUTES = ("admin", "runtime")


class FunctionLoadError(AppLoadError):
    """A function the worker or the host would refuse to load."""

    def __init__(self, function_name: str, message: str) -> None:
        super().__init__(f"cannot load the {function_name} function: {message}")


def indexed_functions(app: FunctionRegister) -> list[Function]:
    """`app.get_functions()`, checked as the worker and the host check it at start."""
    try:
        functions = app.get_functions()
    except ValueError as exc:  # duplicate names, a function without a trigger
        raise AppLoadError(f"indexing the app failed: {exc}") from None
    http_routes: dict[str, tuple[str, frozenset[str] | None]] = {}
    for fn in functions:
        name = str(fn.get_function_name())
        check_parameters(name, fn)
        trigger = fn.get_trigger()
        if fn.is_http_function():
            route = str(getattr(trigger, "route", None) or name)
            methods = getattr(trigger, "methods", None)
            check_route(name, route, frozenset(str(m).upper() for m in methods)
                        if methods else None, http_routes)
    return functions


def check_route(name: str, route: str, methods: frozenset[str] | None,
                seen: dict[str, tuple[str, frozenset[str] | None]]) -> None:
    """The host's HttpRoutesConflict: same template (case-insensitive), overlapping methods."""
    key = route.strip("/").lower()
    if key.startswith(RESERVED_ROUTES):
        raise FunctionLoadError(name, "The specified route conflicts with one or more built in "
                                      "routes.")
    for other, (other_key, other_methods) in seen.items():
        if other_key == key and (methods is None or other_methods is None
                                 or methods & other_methods):
            raise FunctionLoadError(name, "The route specified conflicts with the route defined "
                                          f"by function '{other}'.")
    seen[name] = (key, methods)


def check_parameters(name: str, fn: Function) -> None:
    """Registry.add_indexed_function: parameters against bindings, annotations against both."""
    call = fn.get_user_function()
    params = dict(inspect.signature(call).parameters)
    try:
        annotations = typing.get_type_hints(call)
    except Exception as exc:  # the worker fails on what typing cannot resolve, too
        raise FunctionLoadError(name, f"its annotations cannot be resolved: {exc!r}") from None
    bound: dict[str, Any] = {}
    for binding in fn.get_bindings():
        direction = _direction(binding)
        if direction == BindingDirection.INOUT:
            raise FunctionLoadError(name, '"inout" bindings are not supported')
        if binding.name == "$return":
            if direction != BindingDirection.OUT:
                raise FunctionLoadError(name, '"$return" binding must have direction set to '
                                              '"out"')
            continue
        bound[binding.name] = binding
    if "context" in params and "context" not in bound:
        params.pop("context")
        anno = annotations.get("context")
        if "context" in annotations and (not isinstance(anno, type)
                                         or anno.__name__ != "Context"):
            raise FunctionLoadError(name, 'the "context" parameter is expected to be of type '
                                          f"azure.functions.Context, got {anno!r}")
    missing = set(params) - set(bound)
    if missing:
        raise FunctionLoadError(name, "the following parameters are declared in Python but not "
                                      "in the function definition (function.json or function "
                                      f"decorators): {missing!r}")
    undeclared = set(bound) - set(params)
    if undeclared:
        raise FunctionLoadError(name, "the following parameters are declared in the function "
                                      "definition (function.json or function decorators) but "
                                      f"not in Python: {undeclared!r}")
    for param in params:
        if param in annotations:
            _check_annotation(name, param, annotations[param], bound[param])


def _direction(binding: Any) -> BindingDirection:
    """A binding's direction (the decorators keep it as the enum's int value)."""
    value = binding.direction
    return value if isinstance(value, BindingDirection) else BindingDirection(int(value))


def _is_out(anno: Any) -> bool:
    origin = typing.get_origin(anno) or anno
    return isinstance(origin, type) and origin.__name__ == "Out"


def _converter(binding_type: str) -> Any:
    return meta.get_binding_registry().get(binding_type)


def _check_annotation(name: str, param: str, anno: Any, binding: Any) -> None:
    is_out = _is_out(anno)
    binding_out = _direction(binding) == BindingDirection.OUT
    if binding_out and not is_out:
        raise FunctionLoadError(name, f'binding {param} is declared to have the "out" direction, '
                                      "but its annotation in Python is not a subclass of "
                                      "azure.functions.Out")
    if is_out and not binding_out:
        raise FunctionLoadError(name, f'binding {param} is declared to have the "in" direction '
                                      "in function.json, but its annotation is "
                                      "azure.functions.Out in Python")
    pytype = typing.get_args(anno)[0] if is_out and typing.get_args(anno) else anno
    if not isinstance(pytype, type) or typing.get_origin(pytype) is not None:
        return  # generic aliases: the worker's own typing rules decide; devhost does not guess
    converter = _converter(str(binding.type))
    implicit: Callable[[], bool] = getattr(converter, "has_implicit_output", lambda: False)
    if pytype in (str, bytes) and not implicit():
        converter = None  # the worker binds str/bytes parameters as 'generic'
    if converter is None:
        fits = issubclass(pytype, (str, bytes, bytearray) if is_out else (str, bytes))
    elif is_out:
        fits = converter.check_output_type_annotation(pytype)
    else:
        fits = converter.check_input_type_annotation(pytype)
    if not fits:
        raise FunctionLoadError(name, f'type of {param} binding in function.json '
                                      f'"{binding.type}" does not match its Python annotation '
                                      f'"{pytype.__name__}"')
