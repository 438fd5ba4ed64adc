"""Settings are read once, checked, and explained; `ctr-bot` exits 2 with one line when wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import DEFAULT_SLACK_API_URL, Needs, Settings
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
        ({"SLACK_BOT_TOKEN": "hello", "SLACK_APP_TOKEN": "xapp-1"}, "starting with xoxb-"),
        (HTTP | {"LOG_FORMAT": "xml"}, "LOG_FORMAT must be one of JSON, TEXT"),
        (HTTP | {"SHEETS_QUOTA_PER_MINUTE": "0"}, "SHEETS_QUOTA_PER_MINUTE must be between"),
        (HTTP | {"PORT": "http"}, "PORT must be a number"),
        (HTTP | {"PORT": "70000"}, "PORT must be between 0 and 65535"),
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


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"SLACK_APP_TOKEN": "hello", "PORT": "x", "SYNC_INTERVAL": "0"})
    message = str(caught.value)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "PORT", "SYNC_INTERVAL"):
        assert name in message
    assert "hello" not in message  # a token pasted into the wrong variable is not echoed


def test_secrets_stay_out_of_repr() -> None:
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-secret-bot",
            "SLACK_SIGNING_SECRET": "secret-signing",
            "SLACK_APP_TOKEN": "xapp-secret-app",
            "DATABASE_URL": "postgresql+psycopg://ctr:secret-pw@db/ctr",
        }
    )
    shown = repr(settings) + str(settings)
    for secret in ("xoxb-secret-bot", "secret-signing", "xapp-secret-app", "secret-pw"):
        assert secret not in shown
    assert "slack_api_url" in shown


def test_summary_dry_run_needs_no_slack_tokens() -> None:
    settings = Settings.from_env({}, needs=Needs.NOTHING)
    assert settings.slack_bot_token == ""
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        Settings.from_env({}, needs=Needs.POST)


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
