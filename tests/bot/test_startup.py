"""ctr-bot at start-up: wrong credentials stop it in one line; an unreachable Slack is awaited."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.app import make_client
from bot.settings import Settings
from bot.startup import verify_bot_token
from core.errors import ConfigError
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlack, running_fake_slack

SCRIPT = Path(sys.executable).parent / "ctr-bot"


def one_line_exit_2(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit 2 and, after the log lines of what did start, one line saying what to fix."""
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith("ctr-bot: ")
    for fragment in fragments:
        assert fragment in last


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with running_fake_slack() as fake:
        yield fake


def start(
    cwd: Path, settings: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    prefixes = ("SLACK_", "GOOGLE_", "DATABASE_", "SHEETS_", "LOG_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env |= {"DATABASE_URL": f"sqlite:///{cwd / 'state.sqlite3'}", "PORT": "0"} | settings
    return subprocess.run(
        [SCRIPT], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_a_wrong_bot_token_stops_the_start(tmp_path: Path, slack: FakeSlack) -> None:
    done = start(
        tmp_path,
        {
            "SLACK_BOT_TOKEN": "xoxb-wrong",
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": slack.api_url,
        },
    )
    one_line_exit_2(done, "Slack refused SLACK_BOT_TOKEN (invalid_auth)")
    assert [name for name, _ in slack.calls] == []  # refused before any method ran


def test_a_wrong_app_token_stops_the_start(tmp_path: Path, slack: FakeSlack) -> None:
    done = start(
        tmp_path,
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": "xapp-wrong",
            "SLACK_API_URL": slack.api_url,
        },
    )
    one_line_exit_2(done, "Slack refused SLACK_APP_TOKEN (invalid_auth)")
    assert [name for name, _ in slack.calls] == ["auth.test"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "no such file"),
        ("{not json", "is not JSON"),
        ('{"type": "service_account"}', "without client_email, private_key, token_uri"),
    ],
)
def test_a_missing_or_malformed_google_key_names_the_file(
    tmp_path: Path, slack: FakeSlack, content: str | None, fragment: str
) -> None:
    key = tmp_path / "key.json"
    if content is not None:
        key.write_text(content)
    done = start(
        tmp_path,
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_API_URL": slack.api_url,
            "GOOGLE_APPLICATION_CREDENTIALS": str(key),
        },
    )
    one_line_exit_2(done, fragment, str(key), "GOOGLE_APPLICATION_CREDENTIALS")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_slack_is_retried_with_growing_waits(
    slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_API_URL": f"http://127.0.0.1:{closed_port()}/api/",
        }
    )
    client = make_client(settings)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:  # Slack comes back
            client.base_url = slack.api_url

    with caplog.at_level(logging.WARNING, logger="bot.startup"):
        identity = verify_bot_token(client, sleep=sleep)
    assert identity["user_id"] == "UBOT"
    assert waits == sorted(waits)
    assert waits[0] < waits[-1]
    ours = [r.getMessage() for r in caplog.records if r.name == "bot.startup"]
    assert ours == ["slack_unreachable"] * 3


def test_a_revoked_token_is_a_config_error(slack: FakeSlack) -> None:
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        verify_bot_token(WebClient(token="xoxb-revoked", base_url=slack.api_url))


def test_logs_are_json_lines_and_quiet_at_info(
    tmp_path: Path, slack: FakeSlack, env: dict[str, str]
) -> None:
    """A full Socket Mode start (weekly summaries on) that stops at the socket: every line JSON."""
    done = start(
        tmp_path,
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": "xapp-wrong",  # stops the bot right after everything is built
            "SLACK_API_URL": slack.api_url,
            "LOG_FORMAT": "json",
        }
        | env,
    )
    assert done.returncode == 2
    *log_lines, last = done.stderr.splitlines()
    events = [json.loads(line)["event"] for line in log_lines]
    # The port first (a local check), then Slack; the store was migrated, quietly.
    assert events[:3] == ["http_listening", "slack_ok", "weekly_summaries_on"]
    assert "SLACK_APP_TOKEN" in last
    assert "setup plugin" not in done.stderr
    assert "will be unused" not in done.stderr
