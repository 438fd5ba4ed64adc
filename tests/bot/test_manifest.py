"""manifest.yml is a valid Slack app manifest and asks for what the bot uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from bot.oauth import INSTALL_PATH, REDIRECT_PATH
from bot.server import EVENTS_PATH
from bot.settings import BOT_SCOPES

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


def load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / name).read_text())
    return loaded


@pytest.mark.parametrize("name", ["manifest.yml", "manifest-oauth.yml"])
def test_manifests_validate_against_slacks_schema(name: str) -> None:
    manifest = load(name)
    assert manifest["_metadata"]["major_version"] == 2
    errors = sorted(Draft7Validator(schema()).iter_errors(manifest), key=str)
    assert errors == [], [error.message for error in errors]


@pytest.mark.parametrize("name", ["manifest.yml", "manifest-oauth.yml"])
def test_an_install_asks_for_exactly_the_manifests_scopes(name: str) -> None:
    """SLACK_SCOPES' default is the manifests' bot scopes, in one place (bot/settings.py)."""
    assert tuple(load(name)["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES


def test_the_oauth_manifest_redirects_subscribes_and_rotates() -> None:
    manifest = load("manifest-oauth.yml")
    settings = manifest["settings"]
    (redirect,) = manifest["oauth_config"]["redirect_urls"]
    assert redirect.endswith(REDIRECT_PATH)
    assert settings["event_subscriptions"]["request_url"].endswith(EVENTS_PATH)
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_uninstalled",
        "tokens_revoked",
    }
    assert settings["token_rotation_enabled"] is True
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False  # org-wide installs are refused
    assert settings["interactivity"]["request_url"].endswith(EVENTS_PATH)
    assert manifest["features"]["slash_commands"][0]["url"].endswith(EVENTS_PATH)
    assert INSTALL_PATH == "/slack/install"


def test_one_workspace_manifest_keeps_tokens_that_do_not_expire(manifest: dict[str, Any]) -> None:
    """SLACK_BOT_TOKEN is never refreshed: rotation on would stop the bot after 12 hours."""
    assert manifest["settings"]["token_rotation_enabled"] is False


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
