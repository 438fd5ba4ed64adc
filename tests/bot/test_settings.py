"""Settings are read once, checked, and explained; `ctr-bot` exits 2 with one line when wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import DEFAULT_SLACK_API_URL, Settings
from core.errors import ConfigError

HTTP = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


def test_http_defaults_point_at_real_slack() -> None:
    settings = Settings.from_env(HTTP)
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL == "https://slack.com/api/"
    assert (settings.port, settings.log_level, settings.socket_mode) == (3000, "INFO", False)
    assert settings.database_url.startswith("sqlite:///")
    assert settings.sync_interval_minutes == 15


def test_socket_mode_needs_no_signing_secret() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert settings.socket_mode


def test_values_are_parsed() -> None:
    settings = Settings.from_env(
        HTTP
        | {
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "PORT": "8080",
            "LOG_LEVEL": "debug",
            "CTR_ADMINS": "U1, U2,,U3",
            "SYNC_INTERVAL": "5",
            "SUMMARY_MIN_IMPRESSIONS": "250",
        }
    )
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert (settings.port, settings.log_level) == (8080, "DEBUG")
    assert settings.ctr_admins == {"U1", "U2", "U3"}
    assert settings.sync_interval_minutes == 5
    assert settings.summary_min_impressions == 250


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET (for HTTP mode) or SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "starting with xapp-"),
        (HTTP | {"PORT": "http"}, "PORT must be a number"),
        (HTTP | {"PORT": "70000"}, "PORT must be between 1 and 65535"),
        (HTTP | {"LOG_LEVEL": "loud"}, "LOG_LEVEL must be one of"),
        (HTTP | {"SLACK_API_URL": "slack.com"}, "SLACK_API_URL must be an http(s) URL"),
        (HTTP | {"SYNC_INTERVAL": "0"}, "SYNC_INTERVAL must be between"),
        (HTTP | {"SUMMARY_MIN_IMPRESSIONS": "lots"}, "SUMMARY_MIN_IMPRESSIONS must be a number"),
    ],
)
def test_bad_settings_are_named(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert fragment in str(caught.value)


def test_ctr_bot_without_settings_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    script = Path(sys.executable).parent / "ctr-bot"
    done = subprocess.run(
        [script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "SLACK_BOT_TOKEN" in done.stderr


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-dotenv\nPORT=notaport\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    script = Path(sys.executable).parent / "ctr-bot"
    done = subprocess.run(
        [script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "SLACK_BOT_TOKEN" not in done.stderr  # found in .env, so the next problem shows
    assert "SLACK_SIGNING_SECRET" in done.stderr
