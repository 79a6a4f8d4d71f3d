"""Orchestration versioning as the Durable extension does it.

Sources: Azure/azure-functions-durable-extension (DurableTaskOptions: DefaultVersion,
VersionMatchStrategy = CurrentOrOlder, VersionFailureStrategy = Reject; HttpApiHandler start:
`query["version"] ?? Options.DefaultVersion`; OrchestrationVersionTests), Azure/durabletask
(DurableTask.Core TaskOrchestrationDispatcher's version check, VersioningSettings.CompareVersions,
VersionSettingsTests) and the Python SDK's versioning sample (context.version,
start_new(version=), call_sub_orchestrator(version=)).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from devhost.settings import SettingsError, read_host_settings
from devhost.testing import RunningHost, run_devhost
from devhost.versioning import (
    MISMATCH_OUTPUT,
    FailureStrategy,
    MatchStrategy,
    Versioning,
    compare_versions,
)

from .conftest import APPS


def app_with(tmp_path: Path, **durable_task: Any) -> Path:
    """The versioned sample app with a host.json carrying these durableTask settings."""
    app = tmp_path / "app"
    if not app.exists():
        shutil.copytree(APPS / "versioned", app, ignore=shutil.ignore_patterns("__pycache__"))
    write_host_json(app, **durable_task)
    return app


def write_host_json(app: Path, **durable_task: Any) -> None:
    """Change host.json as a new deployment would."""
    (app / "host.json").write_text(json.dumps(
        {"version": "2.0", "extensions": {"durableTask": durable_task}}))


async def finish(host: RunningHost, name: str, client_input: Any = None,
                 version: str | None = None) -> dict[str, Any]:
    iid = await host.client.start_new(name, None, client_input, version=version)
    return await host.wait_for_status(iid, "Completed", "Failed")


async def post_start(host: RunningHost, name: str, query: str) -> str:
    """Start over the management API itself (as any HTTP client would)."""
    async with aiohttp.ClientSession() as http, http.post(
            f"{host.management_url}/orchestrators/{name}{query}") as resp:
        assert resp.status == 202, await resp.text()
        return (await resp.json())["id"]


# -- which version a new instance gets --------------------------------------------------------
async def test_a_new_instance_gets_the_default_version_and_branches_on_it(tmp_path):
    """host.json defaultVersion is stamped on every new instance and reaches context.version
    (OrchestrationVersionIsDeterminedByHostDefaultVersion; the Python versioning sample)."""
    async with run_devhost(app_with(tmp_path, defaultVersion="1.0")) as host:
        status = await finish(host, "branching")
    assert status["output"] == {"version": "1.0", "result": "a"}


async def test_without_a_default_version_context_version_is_none(tmp_path):
    """No defaultVersion: ExecutionStarted.Version is null, so context.version is None
    (DurableTaskOptions.DefaultVersion has no default; the extension's test expects null)."""
    async with run_devhost(app_with(tmp_path)) as host:
        status = await finish(host, "report_version")
    assert status["output"] == {"version": None}


async def test_version_given_at_start_wins_over_the_default(tmp_path):
    """start_new(version=...) sends ?version=, which the extension puts in ExecutionStarted
    instead of defaultVersion; an empty ?version= is a version too ("" is not null)."""
    async with run_devhost(app_with(tmp_path, defaultVersion="2.0")) as host:
        older = await finish(host, "branching", version="1.0")
        empty = await post_start(host, "report_version", "?version=")
        status = await host.wait_for_status(empty, "Completed")
    assert older["output"] == {"version": "1.0", "result": "a"}
    assert status["output"] == {"version": ""}


async def test_sub_orchestrations_get_their_explicit_version_or_the_default(tmp_path):
    """call_sub_orchestrator(version=) is honoured; without one the child gets the host's
    defaultVersion, not the parent's version (ExistingOrchestrationVersionIsImmutable)."""
    async with run_devhost(app_with(tmp_path, defaultVersion="2.0"), virtual_clock=True) as host:
        iid = await host.client.start_new("parent", None, None, version="1.0")
        await host.wait_for_custom_status(iid, lambda s: s == "waiting")
        await host.client.raise_event(iid, "go", None)
        status = await host.wait_for_status(iid, "Completed")
    assert status["output"] == {"parent": "1.0", "explicit": "0.9", "default": "2.0"}


async def test_a_running_instance_keeps_its_version_after_the_default_changes(tmp_path):
    """An instance started under defaultVersion 1.0 still sees 1.0 after a deployment moves
    the default to 2.0; the child it starts after that gets 2.0
    (ExistingOrchestrationVersionIsImmutable)."""
    app, db = app_with(tmp_path, defaultVersion="1.0"), tmp_path / "hub.sqlite3"
    async with run_devhost(app, db_path=db) as host:
        iid = await host.client.start_new("parent")
        await host.wait_for_custom_status(iid, lambda s: s == "waiting")
    write_host_json(app, defaultVersion="2.0")
    async with run_devhost(app, db_path=db) as host:
        await host.client.raise_event(iid, "go", None)
        status = await host.wait_for_status(iid, "Completed")
    assert status["output"] == {"parent": "1.0", "explicit": "0.9", "default": "2.0"}


async def test_continue_as_new_keeps_the_version(tmp_path):
    """The next execution's ExecutionStarted carries the same version (DurableTask.Core:
    NewVersion ?? runtimeState.Version; the Python SDK gives no new version)."""
    async with run_devhost(app_with(tmp_path, defaultVersion="1.0")) as host:
        status = await finish(host, "renews", version="0.5")
    assert status["output"] == {"generation": 1, "version": "0.5"}


async def test_the_dashboard_shows_the_version_the_status_api_does_not(tmp_path):
    """The extension's status payload has no version field (StatusResponsePayload) and drops
    ExecutionStarted.Version from history; devhost's dashboard shows it."""
    async with run_devhost(app_with(tmp_path, defaultVersion="1.0")) as host:
        iid = (await finish(host, "report_version"))["instanceId"]
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{host.management_url}/instances/{iid}?showHistory=true") as r:
                status = await r.json()
            async with http.get(f"{host.base_url}/_devhost/api/instances/{iid}") as r:
                dashboard = await r.json()
    assert "version" not in status
    assert all("Version" not in e for e in status["historyEvents"])
    assert dashboard["version"] == "1.0"


async def test_the_dashboard_page_shows_the_version_of_a_waiting_instance(tmp_path, browser):
    """A Pending instance held back by its version shows that version; one without a version
    shows no version line."""
    from playwright.async_api import expect

    from devhost.dashboard import PAGE_PATH

    async with run_devhost(app_with(tmp_path)) as host:
        bare = (await finish(host, "report_version"))["instanceId"]
        held = await host.client.start_new("report_version", None, None, version="2.0")
        await host.settle()
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(f"{host.base_url}{PAGE_PATH}instances/{held}")
        await expect(page.locator("#instance-status")).to_have_text("Pending")
        await expect(page.locator("#instance-version")).to_have_text("2.0")
        await page.goto(f"{host.base_url}{PAGE_PATH}instances/{bare}")
        await expect(page.locator("#instance-status")).to_have_text("Completed")
        await expect(page.locator("#instance-version-row")).to_be_hidden()
        await context.close()


# -- which instances a host runs ----------------------------------------------------------------
async def test_current_or_older_leaves_a_newer_instance_pending_until_a_newer_host(tmp_path):
    """CurrentOrOlder with Reject (the defaults): work for a version above defaultVersion is
    abandoned, the instance stays Pending; older and equal versions run. A later host whose
    defaultVersion is high enough runs it (TaskOrchestrationDispatcher, Reject)."""
    app, db = app_with(tmp_path, defaultVersion="1.0"), tmp_path / "hub.sqlite3"
    async with run_devhost(app, db_path=db) as host:
        newer = await host.client.start_new("report_version", None, None, version="2.0")
        older = await finish(host, "report_version", version="0.9")
        same = await finish(host, "report_version", version="1.0")
        await host.settle()
        waiting = await host.get_status(newer)
    assert (older["output"], same["output"]) == ({"version": "0.9"}, {"version": "1.0"})
    assert (waiting["runtimeStatus"], waiting["output"]) == ("Pending", None)
    write_host_json(app, defaultVersion="2.0")
    async with run_devhost(app, db_path=db) as host:
        status = await host.wait_for_status(newer, "Completed")
    assert status["output"] == {"version": "2.0"}


async def test_an_older_host_does_not_advance_a_newer_running_instance(tmp_path):
    """Rolled back to an older defaultVersion, the host keeps a newer Running instance as it
    is (its events wait) instead of running old code on it; the newer host finishes it."""
    app, db = app_with(tmp_path, defaultVersion="2.0"), tmp_path / "hub.sqlite3"
    async with run_devhost(app, db_path=db) as host:
        iid = await host.client.start_new("waits")
        await host.wait_for_custom_status(iid, lambda s: s == "waiting")
    write_host_json(app, defaultVersion="1.0")
    async with run_devhost(app, db_path=db) as host:
        await host.client.raise_event(iid, "go", None)
        await host.settle()
        held = await host.get_status(iid)
    assert (held["runtimeStatus"], held["output"]) == ("Running", None)
    write_host_json(app, defaultVersion="2.0")
    async with run_devhost(app, db_path=db) as host:
        status = await host.wait_for_status(iid, "Completed")
    assert status["output"] == {"version": "2.0"}


async def test_an_explicit_version_on_a_host_without_default_waits(tmp_path):
    """With no defaultVersion the worker's version is empty, and CompareVersions puts any
    defined version above it: under the default CurrentOrOlder/Reject such an instance is
    never run, as on Azure."""
    async with run_devhost(app_with(tmp_path)) as host:
        iid = await host.client.start_new("report_version", None, None, version="1.0")
        await host.settle()
        status = await host.get_status(iid)
    assert status["runtimeStatus"] == "Pending"


async def test_fail_strategy_fails_the_instance_with_the_version_mismatch(tmp_path):
    """versionFailureStrategy Fail: the orchestrator never runs, the instance fails with
    DurableTask.Core's FailureDetails ("VersionMismatch: ..."), and a parent waiting on such a
    child sees it fail."""
    async with run_devhost(app_with(tmp_path, defaultVersion="1.0",
                                    versionFailureStrategy="Fail")) as host:
        status = await finish(host, "report_version", version="1.1")
        parent = await finish(host, "calls_child", "3.0")
        fine = await finish(host, "calls_child", "0.1")
    assert (status["runtimeStatus"], status["output"]) == ("Failed", MISMATCH_OUTPUT)
    assert parent["runtimeStatus"] == "Completed"
    assert "VersionMismatch" in parent["output"]["failed"]
    assert fine["output"] == {"child": "0.1"}


async def test_strict_runs_only_the_exact_version(tmp_path):
    """Strict compares the texts for equality: "1.0.0" is not "1.0", older is refused too."""
    async with run_devhost(app_with(tmp_path, defaultVersion="1.0", versionMatchStrategy="Strict",
                                    versionFailureStrategy="Fail")) as host:
        results = {v: (await finish(host, "report_version", version=v))["runtimeStatus"]
                   for v in ("1.0", "1.0.0", "0.9")}
    assert results == {"1.0": "Completed", "1.0.0": "Failed", "0.9": "Failed"}


async def test_match_strategy_none_runs_every_version(tmp_path):
    async with run_devhost(app_with(tmp_path, defaultVersion="1.0",
                                    versionMatchStrategy="None")) as host:
        status = await finish(host, "report_version", version="9.9")
    assert status["output"] == {"version": "9.9"}


async def test_text_versions_compare_as_text(tmp_path):
    """One-part versions are not System.Version, so "10" sorts below "9" as text and a
    CurrentOrOlder host on "9" runs a "10" instance (CompareVersions, last rule)."""
    async with run_devhost(app_with(tmp_path, defaultVersion="9",
                                    versionFailureStrategy="Fail")) as host:
        status = await finish(host, "report_version", version="10")
    assert status["output"] == {"version": "10"}


# -- the rules themselves -----------------------------------------------------------------------
@pytest.mark.parametrize(("source", "other", "expected"), [
    # VersionSettingsTests.TestVersionComparison
    ("1.0.0", "1.0.0", 0), ("1.1.0", "1.0.0", 1), ("1.0.0", "1.1.0", -1),
    ("1", "1", 0), ("2", "1", 1), ("1", "2", -1), ("", "1", -1), ("1", "", 1), ("", "", 0),
    # blank and null are the same non-version; System.Version where both parse
    (None, "", 0), (" ", None, 0), (None, "0.1", -1), ("1.10", "1.9", 1), ("1.0", "1.0.0", -1),
    ("1.2.3.4", "1.2.3.5", -1), (" 1 . 2 ", "1.2", 0), ("+1.2", "1.2", 0),
    # otherwise text, ignoring case
    ("10", "9", -1), ("v2", "V2", 0), ("1.0-preview", "1.0", 1), ("1.2.3.4.5", "1.2", 1),
    ("-1.0", "0.0", -1),
])
def test_compare_versions_follows_durabletask_core(source, other, expected):
    assert compare_versions(source, other) == expected


def test_defaults_are_the_extensions():
    """DurableTaskOptions: DefaultVersion null, CurrentOrOlder, Reject."""
    settings = read_host_settings(APPS / "versioned")  # no host.json at all
    assert settings.versioning == Versioning(None, MatchStrategy.CURRENT_OR_OLDER,
                                             FailureStrategy.REJECT)


def test_host_json_settings_bind_as_dotnet_configuration_does(tmp_path):
    """Keys and enum names in any case, enum numbers, null meaning unset."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "host.json").write_text(json.dumps({"extensions": {"durableTask": {
        "DefaultVersion": "3.1", "versionmatchstrategy": "strict", "VersionFailureStrategy": 1}}}))
    assert read_host_settings(app).versioning == Versioning("3.1", MatchStrategy.STRICT,
                                                            FailureStrategy.FAIL)
    (app / "host.json").write_text(json.dumps({"extensions": {"durableTask": {
        "defaultVersion": None, "versionMatchStrategy": None}}}))
    assert read_host_settings(app).versioning == Versioning()


@pytest.mark.parametrize(("setting", "value", "named"), [
    ("versionMatchStrategy", "Newest", "versionMatchStrategy must be one of None, Strict, "
                                       "CurrentOrOlder"),
    ("versionFailureStrategy", 5, "versionFailureStrategy must be one of Reject, Fail"),
    ("defaultVersion", 2.0, "defaultVersion must be a string"),
])
def test_a_setting_devhost_cannot_read_stops_it_with_the_settings_name(tmp_path, setting, value,
                                                                       named):
    app = tmp_path / "app"
    app.mkdir()
    (app / "host.json").write_text(json.dumps({"extensions": {"durableTask": {setting: value}}}))
    with pytest.raises(SettingsError, match=named):
        read_host_settings(app)
