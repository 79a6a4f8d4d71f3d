"""Reading the app's slash command and interactivity URLs from its Slack manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from slack_sandbox.manifest import AppEndpoints, ManifestError
from slack_sandbox.testing import PROJECT_MANIFEST


def test_urls_keep_only_their_path(manifest: Path):
    endpoints = AppEndpoints.from_manifest(manifest)
    assert endpoints.commands == {"/expense": "/api/slack/commands"}
    assert endpoints.interactivity_path == "/api/slack/interactions"
    assert endpoints.bot_scopes[:2] == ("commands", "chat:write")
    assert endpoints.command_hints["/expense"] == "120 Team lunch"


def test_missing_or_broken_manifest_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ManifestError, match="cannot read"):
        AppEndpoints.from_manifest(tmp_path / "absent.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("features: [unclosed")
    with pytest.raises(ManifestError, match="not valid YAML"):
        AppEndpoints.from_manifest(broken)
    no_url = tmp_path / "no_url.yml"
    no_url.write_text("features:\n  slash_commands:\n    - command: /expense\n")
    with pytest.raises(ManifestError, match="command and url"):
        AppEndpoints.from_manifest(no_url)


def test_the_projects_manifest_routes_expense_and_interactions():
    endpoints = AppEndpoints.from_manifest(PROJECT_MANIFEST)
    assert endpoints.commands["/expense"] == "/api/slack/commands"
    assert endpoints.interactivity_path == "/api/slack/interactions"
