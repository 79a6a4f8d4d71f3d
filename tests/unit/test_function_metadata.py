"""The function metadata the real Functions host reads when it indexes function_app.py."""

from __future__ import annotations

import importlib.util
import inspect
import json
from pathlib import Path

import pytest
from azure.functions.decorators.utils import StringifyEnumJsonEncoder

APP_FILE = Path(__file__).resolve().parents[2] / "function_app.py"

HTTP_FUNCTIONS = {
    # name: (route, methods, authLevel)
    "start_approval_request": ("human_interaction", ["POST"], "FUNCTION"),
    "decide_approval_request": ("approve/{approvalId}", ["POST"], "FUNCTION"),
    "cancel_approval_request": ("cancel/{approvalId}", ["POST"], "FUNCTION"),
    "get_approval_status": ("status/{instanceId}", ["GET"], "FUNCTION"),
    "export_approval_records": ("approvals", ["GET"], "FUNCTION"),
    "slack_commands": ("slack/commands", ["POST"], "ANONYMOUS"),
    "slack_interactions": ("slack/interactions", ["POST"], "ANONYMOUS"),
    "slack_events": ("slack/events", ["POST"], "ANONYMOUS"),
    "teams_messages": ("teams/messages", ["POST"], "ANONYMOUS"),
}
ACTIVITIES = ("send_approval_request", "process_approval", "escalate_approval", "cancel_approval",
              "advance_approval_stage", "remind_approvers", "close_escalation")


@pytest.fixture(scope="module")
def indexed() -> dict[str, dict]:
    """Index a fresh copy of function_app.py once (get_functions() works once per app)."""
    spec = importlib.util.spec_from_file_location("function_app_under_index", APP_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    functions = {}
    for function in module.app.get_functions():
        name = function.get_function_name()
        assert name not in functions, f"duplicate function name {name}"
        bindings = json.loads(json.dumps([b.get_dict_repr() for b in function.get_bindings()], cls=StringifyEnumJsonEncoder))
        functions[name] = {"bindings": bindings, "function": function, "json": json.loads(function.get_function_json())}
    return functions


def by_type(entry: dict, binding_type: str) -> dict:
    [binding] = [b for b in entry["bindings"] if b["type"] == binding_type]
    return binding


def test_exactly_the_expected_functions_are_registered(indexed):
    assert set(indexed) == {"approval_workflow", "monthly_spend", *ACTIVITIES, *HTTP_FUNCTIONS, "api_not_found"}


def test_the_month_to_date_entity_is_named_for_the_stored_state(indexed):
    """Renaming the entity would orphan every month counted so far."""
    [binding] = indexed["monthly_spend"]["bindings"]
    assert (binding["type"], binding["name"], binding["entityName"]) == ("entityTrigger", "context", "monthly_spend")


def test_the_catch_all_takes_every_method_anonymously_and_holds_no_client(indexed):
    entry = indexed["api_not_found"]
    trigger = by_type(entry, "httpTrigger")
    assert trigger["route"] == "{*path}" and trigger["authLevel"] == "ANONYMOUS"
    assert {"GET", "POST", "PUT", "DELETE"} <= set(trigger["methods"])
    assert not [b for b in entry["bindings"] if b["type"] == "durableClient"]


def test_the_orchestrator_is_named_for_the_contract(indexed):
    entry = indexed["approval_workflow"]
    assert entry["bindings"] == [
        {"direction": "IN", "type": "orchestrationTrigger", "name": "context", "orchestration": "approval_workflow"}
    ]
    handle = entry["function"].get_user_function()
    assert inspect.isgeneratorfunction(handle.orchestrator_function)


# The outcome activities refresh people's own lists (Slack's Home tab), which reads the instances.
WITH_DURABLE_CLIENT = {"process_approval", "escalate_approval", "close_escalation", "cancel_approval"}


@pytest.mark.parametrize("name", ACTIVITIES)
def test_activities_have_one_activity_trigger_matching_a_parameter(indexed, name):
    entry = indexed[name]
    [binding] = [b for b in entry["bindings"] if b["type"] != "durableClient"]
    assert binding["type"] == "activityTrigger"
    assert binding["direction"] == "IN"
    assert binding.get("activity", name) == name
    parameters = inspect.signature(entry["function"].get_user_function()).parameters
    assert binding["name"] in parameters
    clients = [b["name"] for b in entry["bindings"] if b["type"] == "durableClient"]
    assert clients == (["client"] if name in WITH_DURABLE_CLIENT else [])
    assert set(parameters) == {binding["name"], *clients}


@pytest.mark.parametrize("name", sorted(HTTP_FUNCTIONS))
def test_http_functions_have_route_methods_auth_and_a_durable_client(indexed, name):
    route, methods, auth_level = HTTP_FUNCTIONS[name]
    entry = indexed[name]
    trigger = by_type(entry, "httpTrigger")
    assert trigger["route"] == route
    assert trigger["methods"] == methods
    assert trigger["authLevel"] == auth_level
    assert by_type(entry, "http") == {"direction": "OUT", "type": "http", "name": "$return"}
    client = by_type(entry, "durableClient")
    assert client["direction"] == "IN"

    user_function = entry["function"].get_user_function()
    assert inspect.iscoroutinefunction(user_function), "durable-client functions must be async"
    parameters = inspect.signature(user_function).parameters
    assert trigger["name"] in parameters and client["name"] in parameters
    assert entry["json"]["bindings"] == entry["bindings"]
    assert entry["function"].is_http_function()


def test_http_routes_do_not_collide(indexed):
    routes = [(HTTP_FUNCTIONS[name][0], tuple(HTTP_FUNCTIONS[name][1])) for name in HTTP_FUNCTIONS]
    assert len(set(routes)) == len(routes)


def test_host_json_is_what_the_extension_needs():
    host = json.loads((APP_FILE.parent / "host.json").read_text())
    assert host["version"] == "2.0"
    assert host["extensionBundle"] == {"id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)"}
    durable = host["extensions"]["durableTask"]
    assert durable["storageProvider"] == {
        "type": "azureManaged",
        "connectionStringName": "DURABLE_TASK_SCHEDULER_CONNECTION_STRING",
    }
    assert durable["hubName"] == "%TASKHUB_NAME%"
    assert host["extensions"]["http"]["routePrefix"] == "api"


def test_example_settings_cover_every_setting_the_app_reads():
    values = json.loads((APP_FILE.parent / "local.settings.example.json").read_text())["Values"]
    from bot.config import SETTING_NAMES

    assert set(SETTING_NAMES) <= set(values)
    from bot.policy.settings import POLICY_SETTING

    assert values[POLICY_SETTING] == "", "no policy unless one is chosen: the sample's single approval"
    assert values["FUNCTIONS_WORKER_RUNTIME"] == "python"
    assert values["DURABLE_TASK_SCHEDULER_CONNECTION_STRING"] == "Endpoint=http://localhost:8080;Authentication=None"
    assert values["TASKHUB_NAME"] == "default"
    assert "AzureWebJobsStorage" in values
    assert values["SLACK_BOT_TOKEN"] == "", "Slack stays off until a token is set"
