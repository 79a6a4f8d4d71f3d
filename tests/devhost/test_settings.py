"""host.json and local.settings.json, read as `func start` reads them."""
import json

import aiohttp
import pytest

from devhost.settings import HostSettings, SettingsError, apply_local_values, read_host_settings, read_local_values
from devhost.testing import run_devhost

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
    import os
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
