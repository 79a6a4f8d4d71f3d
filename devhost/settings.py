"""The app's own configuration files, read the way `func start` reads them.

host.json gives the HTTP route prefix (default `api`), the durable task hub name (default
`TestHubName`, as the extension's local default; a `%SETTING%` in it must name a set app
setting) and the orchestration versioning settings (`versioning`); local.settings.json's
`Values` go into the environment unless a real variable already exists.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .versioning import Versioning, read_versioning

DEFAULT_HUB = "TestHubName"


@dataclass(frozen=True)
class HostSettings:
    route_prefix: str = "api"
    hub_name: str = DEFAULT_HUB
    versioning: Versioning = field(default_factory=Versioning)


class SettingsError(Exception):
    """A configuration file exists but cannot be used."""


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SettingsError(f"{path} must contain a JSON object")
    return data


def read_host_settings(app_dir: Path) -> HostSettings:
    path = app_dir / "host.json"
    if not path.exists():
        return HostSettings()
    extensions = _read_json(path).get("extensions") or {}
    prefix = (extensions.get("http") or {}).get("routePrefix", "api")
    durable_task = extensions.get("durableTask") or {}
    hub = durable_task.get("hubName") or DEFAULT_HUB
    if not isinstance(prefix, str) or not isinstance(hub, str):
        raise SettingsError(f"{path}: routePrefix and hubName must be strings")
    try:
        versioning = read_versioning(durable_task)
    except ValueError as exc:
        raise SettingsError(f"{path}: {exc}") from None
    return HostSettings(route_prefix=prefix.strip("/"), hub_name=resolve_hub_name(hub, path),
                        versioning=versioning)


_REFERENCE = re.compile(r"%([^%]+)%")


def resolve_hub_name(value: str, path: Path) -> str:
    """Replace every `%SETTING%` in host.json's hubName with that app setting.

    An unset (or empty) setting is an error naming it: the Durable extension would keep the
    literal `%SETTING%` as the hub name and its storage backend would refuse it at start, so
    there is no name devhost could fall back to that Azure would also use."""
    def setting(match: re.Match[str]) -> str:
        name = match.group(1)
        resolved = os.environ.get(name)
        if not resolved:
            raise SettingsError(
                f"{path}: extensions.durableTask.hubName is %{name}%, but the app setting {name} "
                f"is not set; set {name} in local.settings.json (Values) or the environment")
        return resolved
    return _REFERENCE.sub(setting, value)


def read_local_values(app_dir: Path) -> dict[str, str]:
    """The `Values` of local.settings.json, or {} when the file does not exist."""
    path = app_dir / "local.settings.json"
    if not path.exists():
        return {}
    values = _read_json(path).get("Values") or {}
    if not isinstance(values, dict):
        raise SettingsError(f"{path}: Values must be an object")
    return {str(k): "" if v is None else str(v) for k, v in values.items()}


def apply_local_values(values: dict[str, str]) -> dict[str, str]:
    """Put values into os.environ where no real variable exists; return what was added."""
    added = {k: v for k, v in values.items() if k not in os.environ}
    os.environ.update(added)
    return added
