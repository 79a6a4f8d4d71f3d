"""host.json and local.settings.json, read as `func start` reads them."""
import asyncio
import json
import os
import sys

import aiohttp
import pytest

from devhost.settings import HostSettings, SettingsError, apply_local_values, read_host_settings, read_local_values
from devhost.testing import run_devhost
from testkit.devhost_process import ROOT

HOST_JSON = {"version": "2.0", "extensions": {"http": {"routePrefix": ""},
                                               "durableTask": {"hubName": "%MY_HUB%"}}}


def test_defaults_without_host_json(tmp_path):
    assert read_host_settings(tmp_path) == HostSettings(route_prefix="api", hub_name="TestHubName")


def test_route_prefix_and_hub_from_an_app_setting(tmp_path, monkeypatch):
    (tmp_path / "host.json").write_text(json.dumps(HOST_JSON))
    monkeypatch.setenv("MY_HUB", "ExpenseHub")
    assert read_host_settings(tmp_path) == HostSettings(route_prefix="", hub_name="ExpenseHub")


def test_broken_host_json_is_a_clear_error(tmp_path):
    (tmp_path / "host.json").write_text("{nope")
    with pytest.raises(SettingsError, match="host.json is not valid JSON"):
        read_host_settings(tmp_path)


def test_local_values_never_override_the_real_environment(tmp_path, monkeypatch):
    (tmp_path / "local.settings.json").write_text(json.dumps(
        {"IsEncrypted": False, "Values": {"A_SETTING": "local", "B_SETTING": "local"}}))
    monkeypatch.setenv("A_SETTING", "real")
    monkeypatch.delenv("B_SETTING", raising=False)
    added = apply_local_values(read_local_values(tmp_path))
    assert added == {"B_SETTING": "local"}
    assert os.environ["A_SETTING"] == "real" and os.environ["B_SETTING"] == "local"
    monkeypatch.delenv("B_SETTING")


async def test_an_empty_route_prefix_serves_functions_at_the_root(tmp_path, basic_app, monkeypatch):
    app = tmp_path / "app"
    app.mkdir()
    (app / "function_app.py").write_text((basic_app / "function_app.py").read_text())
    (app / "host.json").write_text(json.dumps(HOST_JSON))
    monkeypatch.setenv("MY_HUB", "ExpenseHub")
    async with run_devhost(app) as host, aiohttp.ClientSession() as http:
        async with http.get(f"{host.base_url}/hello/Ann") as resp:
            assert await resp.text() == "Hello Ann"
        async with http.post(f"{host.base_url}/orchestrators/two_waits") as resp:
            assert "taskHub=ExpenseHub" in (await resp.json())["statusQueryGetUri"]


def test_an_unset_hub_setting_is_an_error_naming_it(tmp_path, monkeypatch):
    """Conformance: an unresolved `%SETTING%` in hubName is no hub name. The extension keeps the
    literal and its storage backend refuses it at start (Azure Storage allows only letters and
    digits, the Durable Task Scheduler knows no such hub), so devhost refuses too, naming the
    setting, rather than run under a hub name Azure would never use."""
    (tmp_path / "host.json").write_text(json.dumps(HOST_JSON))
    monkeypatch.delenv("MY_HUB", raising=False)
    with pytest.raises(SettingsError, match="the app setting MY_HUB is not set"):
        read_host_settings(tmp_path)
    monkeypatch.setenv("MY_HUB", "")
    with pytest.raises(SettingsError, match="%MY_HUB%"):
        read_host_settings(tmp_path)


def test_a_hub_name_may_combine_settings_and_text(tmp_path, monkeypatch):
    (tmp_path / "host.json").write_text(json.dumps(
        {"extensions": {"durableTask": {"hubName": "%STAGE%Hub%REGION%"}}}))
    monkeypatch.setenv("STAGE", "Dev")
    monkeypatch.setenv("REGION", "West")
    assert read_host_settings(tmp_path).hub_name == "DevHubWest"


@pytest.mark.slow
async def test_python_m_devhost_exits_when_the_hub_setting_is_missing(tmp_path, basic_app):
    """`python -m devhost` on an app whose hubName names an unset setting prints the setting and
    exits 1 before serving anything."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "function_app.py").write_text((basic_app / "function_app.py").read_text())
    (app / "host.json").write_text(json.dumps(HOST_JSON))
    env = {k: v for k, v in os.environ.items() if k != "MY_HUB"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devhost", "--app-dir", str(app), "--port", "0", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1 and "Press Ctrl+C" not in out.decode()
    assert "hubName is %MY_HUB%, but the app setting MY_HUB is not set" in err.decode()


async def test_the_readme_hub_is_the_one_the_status_urls_show():
    """The README's settings table, local.settings.example.json and the management URLs of the
    app's own HTTP API name the same task hub."""
    example = json.loads((ROOT / "local.settings.example.json").read_text())["Values"]["TASKHUB_NAME"]
    row = next(line for line in (ROOT / "README.md").read_text().splitlines()
               if line.startswith("| `TASKHUB_NAME`"))
    assert f"`{example}`" in row
    async with run_devhost(ROOT, env={"TASKHUB_NAME": example}) as host, \
            aiohttp.ClientSession() as http:
        async with http.post(f"{host.base_url}/api/human_interaction", json={}) as resp:
            payload = await resp.json()
        await host.client.terminate(payload["id"], "test over")
    assert f"taskHub={example}&" in payload["statusQueryGetUri"]
