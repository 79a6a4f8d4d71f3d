"""The Teams app package: a manifest valid against Microsoft's 1.29 schema, and its two icons."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "teams" / "appPackage"
SCHEMA_FOLDER = ROOT.parent / "shared" / "data" / "teams"  # shared/ lies beside the checkout, as CI lays it
SCHEMA_NAME = "MicrosoftTeams.schema.v1.29.json"


# The schema is draft-04 but uses draft-06's `const` (for manifestVersion), as Teams' own tools read it.
Validator = jsonschema.validators.extend(jsonschema.Draft4Validator,
                                        {"const": jsonschema.Draft7Validator.VALIDATORS["const"]})


def schema() -> dict:
    if not (SCHEMA_FOLDER / SCHEMA_NAME).exists():
        pytest.fail(f"{SCHEMA_NAME} is not in {SCHEMA_FOLDER}")
    return json.loads((SCHEMA_FOLDER / SCHEMA_NAME).read_text())


def manifest() -> dict:
    return json.loads((PACKAGE / "manifest.json").read_text())


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_manifest_is_valid_against_the_1_29_schema() -> None:
    Validator(schema()).validate(manifest())


def test_a_broken_manifest_is_caught_by_the_same_check() -> None:
    broken = {**manifest(), "manifestVersion": "1.28", "accentColor": "green"}
    errors = list(Validator(schema()).iter_errors(broken))
    assert {error.path[0] for error in errors if error.path} >= {"manifestVersion", "accentColor"}


def test_the_icons_exist_at_the_sizes_teams_requires() -> None:
    icons = manifest()["icons"]
    assert png_size(PACKAGE / icons["color"]) == (192, 192)
    assert png_size(PACKAGE / icons["outline"]) == (32, 32)


def test_the_bot_can_be_talked_to_in_chats_and_channels() -> None:
    [bot] = manifest()["bots"]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert bot["botId"] == manifest()["id"]
