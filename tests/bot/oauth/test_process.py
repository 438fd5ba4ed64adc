"""`ctr-bot` as a process in OAuth mode: it starts with no bot token, serves the install page,
and stops cleanly; both modes' settings at once stop it with one line."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import requests

from tests.bot.conftest import SIGNING_SECRET
from tests.bot.test_lifecycle import SCRIPT, start
from tests.fakes.slack_api import BOT_TOKEN, running_fake_slack
from tests.fakes.slack_oauth import CLIENT_ID, CLIENT_SECRET


def test_ctr_bot_starts_in_oauth_mode_and_serves_the_install_page(tmp_path: Path) -> None:
    with running_fake_slack() as slack:
        settings = {
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": CLIENT_SECRET,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "SLACK_AUTHORIZE_URL": slack.authorize_url,
        }
        for bot in start(tmp_path, settings):
            port = bot.wait_for("http_listening")["port"]
            bot.wait_for("oauth_installs")
            bot.wait_for("ready")
            page = requests.get(f"http://127.0.0.1:{port}/slack/install", timeout=10)
            assert page.status_code == 200
            assert "Add to Slack" in page.text
            assert slack.authorize_url in page.text
            assert slack.calls == []  # no token of its own: nothing asked of Slack at start
            bot.popen.send_signal(signal.SIGTERM)
            assert bot.finish() == 0


def test_both_modes_at_once_stop_it_with_one_line_naming_what_to_remove(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")} | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    }
    done = subprocess.run(
        [SCRIPT], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "remove SLACK_BOT_TOKEN" in line
    assert CLIENT_SECRET not in line
