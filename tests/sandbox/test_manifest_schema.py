"""manifest.yml is a manifest Slack accepts: it validates against Slack's manifest schema.

The schema is Slack's published `manifest.schema.1.0.0.json` (slackapi/manifest-schema), kept
beside this test so the check runs without a network.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from slack_sandbox.testing import PROJECT_MANIFEST

SCHEMA = Path(__file__).parent / "data" / "manifest.schema.1.0.0.json"


def schema_errors(manifest: dict) -> list[str]:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest)]


def test_the_projects_manifest_matches_slacks_schema():
    assert PROJECT_MANIFEST.exists(), f"{PROJECT_MANIFEST} is missing: the Slack app cannot be created without it"
    assert schema_errors(yaml.safe_load(PROJECT_MANIFEST.read_text())) == []


def test_the_schema_check_catches_a_broken_manifest():
    manifest = yaml.safe_load(PROJECT_MANIFEST.read_text())
    manifest["features"]["slash_commands"][0]["should_escape"] = "no"
    del manifest["display_information"]["name"]
    errors = schema_errors(manifest)
    assert any("should_escape" in e for e in errors) and any("'name' is a required property" in e for e in errors)
