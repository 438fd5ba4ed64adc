"""manifest.yml is a valid Slack app manifest and asks for what the bot uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_NAME = "manifest.schema.2.0.0.json"
CANDIDATES = [
    ROOT.parent / "shared" / "slack" / SCHEMA_NAME,
    Path(__file__).parent / "data" / SCHEMA_NAME,
]


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text())
    return loaded


def schema() -> dict[str, Any]:
    path = next(p for p in CANDIDATES if p.exists())
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def test_manifest_validates_against_slacks_schema(manifest: dict[str, Any]) -> None:
    assert manifest["_metadata"]["major_version"] == 2
    errors = sorted(Draft7Validator(schema()).iter_errors(manifest), key=str)
    assert errors == [], [error.message for error in errors]


def test_the_schema_check_catches_a_broken_manifest(manifest: dict[str, Any]) -> None:
    broken = {**manifest, "features": {"slash_commands": [{"command": "ctr"}]}}
    assert list(Draft7Validator(schema()).iter_errors(broken))


def test_slash_command_scopes_and_modes(manifest: dict[str, Any]) -> None:
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/ctr"
    assert command["description"]
    assert command["usage_hint"]
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "files:write", "users:read"} <= scopes
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
