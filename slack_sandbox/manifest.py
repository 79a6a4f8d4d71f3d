"""Where the app listens, read from its Slack app manifest (manifest.yml).

Slack sends slash commands to features.slash_commands[].url, interactions to
settings.interactivity.request_url and the subscribed bot events to
settings.event_subscriptions.request_url. Locally the host part is replaced by the local
Functions host, so only the path (and query) of each URL is kept. The bot token is granted
exactly oauth_config.scopes.bot, as installing the app would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml


class ManifestError(ValueError):
    """The manifest is missing or lacks what the sandbox needs."""


@dataclass(frozen=True)
class AppEndpoints:
    commands: dict[str, str] = field(default_factory=dict)  # "/expense" -> "/api/slack/commands"
    interactivity_path: str | None = None
    command_hints: dict[str, str] = field(default_factory=dict)  # "/expense" -> usage hint
    bot_scopes: tuple[str, ...] = ()  # oauth_config.scopes.bot: exactly what the bot token is granted
    command_escapes: dict[str, bool] = field(default_factory=dict)  # "/expense" -> should_escape
    events_path: str | None = None  # settings.event_subscriptions.request_url
    bot_events: tuple[str, ...] = ()  # the events the app subscribed to ("app_home_opened")
    home_tab: bool = False  # features.app_home.home_tab_enabled

    @classmethod
    def from_manifest(cls, path: Path) -> AppEndpoints:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise ManifestError(f"cannot read {path}: {error}") from None
        except yaml.YAMLError as error:
            raise ManifestError(f"{path} is not valid YAML: {error}") from None
        if not isinstance(data, dict):
            raise ManifestError(f"{path} is not a Slack app manifest")
        features = data.get("features") or {}
        commands: dict[str, str] = {}
        hints: dict[str, str] = {}
        escapes: dict[str, bool] = {}
        for entry in features.get("slash_commands") or []:
            name, url = entry.get("command"), entry.get("url")
            if not name or not url:
                raise ManifestError(f"{path}: every slash command needs command and url")
            commands[name] = path_of(url)
            hints[name] = entry.get("usage_hint", "")
            escapes[name] = entry.get("should_escape") is True  # Slack's default is false
        interactivity = (data.get("settings") or {}).get("interactivity") or {}
        request_url = interactivity.get("request_url") if interactivity.get("is_enabled", True) else None
        scopes = ((data.get("oauth_config") or {}).get("scopes") or {}).get("bot") or []
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise ManifestError(f"{path}: oauth_config.scopes.bot must be a list of scope names")
        events = (data.get("settings") or {}).get("event_subscriptions") or {}
        events_url = events.get("request_url")
        bot_events = events.get("bot_events") or []
        if not isinstance(bot_events, list) or not all(isinstance(e, str) for e in bot_events):
            raise ManifestError(f"{path}: settings.event_subscriptions.bot_events must be a list of event names")
        home_tab = ((features.get("app_home") or {}).get("home_tab_enabled")) is True
        return cls(commands, path_of(request_url) if request_url else None, hints, tuple(scopes), escapes,
                   path_of(events_url) if isinstance(events_url, str) and events_url else None, tuple(bot_events),
                   home_tab)


def path_of(url: str) -> str:
    """The path and query of a URL: "https://x.azurewebsites.net/api/slack/commands" -> "/api/slack/commands"."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
