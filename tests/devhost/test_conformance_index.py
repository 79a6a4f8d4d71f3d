"""Conformance: devhost indexes an app as the Python worker and the Functions host do, and
refuses at start what they refuse, with their message, instead of answering 500 later.

Rules and wording: `Registry.add_indexed_function` / `validate_function_params` in
azure_functions_worker/functions.py (Azure/azure-functions-python-worker), which raises
`FunctionLoadError("cannot load the <function> function: ...")`; `FunctionApp.get_functions()`
in azure-functions (unique names, one trigger); `ScriptHost.ValidateFunction` /
`HttpRoutesConflict` in Azure/azure-functions-host (routes).
"""
import asyncio
import sys
import textwrap

import pytest

from devhost.app_loader import AppLoadError, load_function_app
from devhost.functions import build_index
from devhost.testing import run_devhost
from devhost.worker_index import FunctionLoadError
from testkit.devhost_process import ROOT

HEADER = """
import azure.durable_functions as df
import azure.functions as func
app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
"""


def index_of(tmp_path, body):
    (tmp_path / "function_app.py").write_text(HEADER + textwrap.dedent(body))
    return build_index(load_function_app(tmp_path))


def refusal(tmp_path, body) -> str:
    with pytest.raises(AppLoadError) as caught:
        index_of(tmp_path, body)
    return str(caught.value)


def test_a_python_parameter_without_a_binding_is_refused(tmp_path):
    """A trigger decorator naming `name` on a function whose parameter is `who` (a decorator on
    the wrong function): the worker names the function and the undeclared parameter."""
    assert refusal(tmp_path, """
        @app.activity_trigger(input_name="name")
        def greet(who):
            return who
    """) == ("cannot load the greet function: the following parameters are declared in Python "
             "but not in the function definition (function.json or function decorators): "
             "{'who'}")


def test_a_binding_without_a_python_parameter_is_refused(tmp_path):
    """An HTTP trigger whose function takes no `req` parameter."""
    assert refusal(tmp_path, """
        @app.route(route="ping")
        def ping():
            return func.HttpResponse("pong")
    """) == ("cannot load the ping function: the following parameters are declared in the "
             "function definition (function.json or function decorators) but not in Python: "
             "{'req'}")


def test_a_durable_client_binding_without_its_parameter_is_refused(tmp_path):
    """`durable_client_input(client_name="client")` on a function that calls it `starter`."""
    message = refusal(tmp_path, """
        @app.route(route="start")
        @app.durable_client_input(client_name="client")
        async def start(req: func.HttpRequest, starter):
            return func.HttpResponse("x")
    """)
    assert message.startswith("cannot load the start function: the following parameters are "
                              "declared in Python but not in the function definition")
    assert message.endswith("{'starter'}")


def test_a_context_parameter_must_be_an_azure_functions_context(tmp_path):
    """An undeclared `context` parameter is the invocation context; annotated, it must be
    azure.functions.Context."""
    assert refusal(tmp_path, """
        @app.route(route="ping")
        def ping(req: func.HttpRequest, context: str):
            return func.HttpResponse("pong")
    """) == ("cannot load the ping function: the \"context\" parameter is expected to be of "
             "type azure.functions.Context, got <class 'str'>")


def test_an_orchestrator_context_must_be_named_context(tmp_path):
    """The SDK's orchestrator handle takes a parameter named `context` (annotated
    OrchestrationContext): with `context_name="ctx"` the worker sees `context` as the invocation
    context of the wrong type, and refuses the function."""
    message = refusal(tmp_path, """
        @app.orchestration_trigger(context_name="ctx")
        def flow(ctx):
            yield ctx.call_activity("x", 1)
    """)
    assert message.startswith('cannot load the flow function: the "context" parameter is '
                              "expected to be of type azure.functions.Context, got ")
    assert "OrchestrationContext" in message


def test_an_annotation_that_does_not_suit_the_binding_is_refused(tmp_path):
    """The binding's converter must accept the annotation (an HTTP request is no dict)."""
    assert refusal(tmp_path, """
        @app.route(route="ping")
        def ping(req: dict):
            return func.HttpResponse("pong")
    """) == ("cannot load the ping function: type of req binding in function.json "
             "\"httpTrigger\" does not match its Python annotation \"dict\"")


def test_duplicate_function_names_are_refused(tmp_path):
    """Two functions with one name: azure-functions' get_functions() refuses the app."""
    message = refusal(tmp_path, """
        @app.function_name("same")
        @app.route(route="a")
        def a(req):
            return func.HttpResponse("a")

        @app.function_name("same")
        @app.route(route="b")
        def b(req):
            return func.HttpResponse("b")
    """)
    assert message == ("indexing the app failed: Function same does not have a unique function "
                       "name. Please change @app.function_name() or the function method name "
                       "to be unique.")


def test_a_route_with_overlapping_methods_conflicts(tmp_path):
    """Same template (case-insensitive, slashes trimmed) and a method in common: the host
    refuses the later function, naming the earlier one."""
    assert refusal(tmp_path, """
        @app.route(route="items", methods=["GET"])
        def list_items(req):
            return func.HttpResponse("list")

        @app.route(route="/Items/", methods=["GET", "POST"])
        def add_item(req):
            return func.HttpResponse("add")
    """) == ("cannot load the add_item function: The route specified conflicts with the route "
             "defined by function 'list_items'.")


def test_one_route_with_disjoint_methods_is_allowed(tmp_path):
    """GET and POST on one template are two functions, as the host allows."""
    index = index_of(tmp_path, """
        @app.route(route="items", methods=["GET"])
        def list_items(req):
            return func.HttpResponse("list")

        @app.route(route="items", methods=["POST"])
        def add_item(req):
            return func.HttpResponse("add")
    """)
    assert sorted(f.name for f in index.http) == ["add_item", "list_items"]


def test_routes_under_the_reserved_admin_and_runtime_space_are_refused(tmp_path):
    assert refusal(tmp_path, """
        @app.route(route="admin/tools")
        def tools(req):
            return func.HttpResponse("x")
    """) == ("cannot load the tools function: The specified route conflicts with one or more "
             "built in routes.")


async def test_run_devhost_refuses_the_app_before_serving(misindexed_app):
    """The in-process host refuses at start too: nothing listens, nothing answers 500 later."""
    with pytest.raises(FunctionLoadError, match="cannot load the greet function"):
        async with run_devhost(misindexed_app):
            pass


@pytest.mark.slow
async def test_python_m_devhost_exits_non_zero_with_the_message(misindexed_app, tmp_path):
    """`python -m devhost` prints the worker's message and exits 1 at start."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devhost", "--app-dir", str(misindexed_app), "--port", "0",
        "--db", str(tmp_path / "hub.sqlite3"), cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1
    assert "Press Ctrl+C" not in out.decode()
    assert err.decode().strip().endswith(
        "devhost: cannot load the greet function: the following parameters are declared in "
        "Python but not in the function definition (function.json or function decorators): "
        "{'who'}")
