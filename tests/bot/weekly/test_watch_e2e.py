"""`/ctr watch` end to end: the real server composed like ctr-bot, fake Slack and Google."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import waitress

from bot.app import create_app, make_client
from bot.server import wsgi_app
from bot.settings import Settings
from bot.store.engine import connect
from bot.store.repository import Store
from bot.weekly.runtime import build_weekly
from core.schedule import Weekday
from tests.bot.conftest import SIGNING_SECRET, command_body, message_text, signed
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_fixtures import CLIENT_EMAIL, KEY, campaign_sheet
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack, running_fake_slack

URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"


class Bot:
    def __init__(self, url: str, slack: FakeSlack, database: str) -> None:
        self.url, self.slack, self.database = url, slack, database

    def command(self, text: str, user: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the ack, the follow-up posted to the response_url)."""
        before = len(self.slack.responses)
        body, headers = signed(command_body(text, self.slack.response_url, user=user))
        ack = requests.post(
            self.url + "/slack/events", data=body.encode(), headers=headers, timeout=10
        )
        assert ack.status_code == 200
        deadline = time.monotonic() + 15
        while len(self.slack.responses) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.slack.responses) > before, "no follow-up arrived"
        return ack.json(), self.slack.responses[-1]


@pytest.fixture
def bot(env: dict[str, str], google: FakeGoogle, tmp_path: Path) -> Iterator[Bot]:
    google.spreadsheets[KEY] = [campaign_sheet([["2026-11-16", "A", 1000, 10, 1.0]])]
    database = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    with running_fake_slack() as slack:
        slack.users.update(
            {
                "U_ADMIN": {"id": "U_ADMIN", "is_admin": True, "tz": "Europe/Paris"},
                "U_MEMBER": {"id": "U_MEMBER", "tz": "Europe/Paris"},
            }
        )
        settings = Settings.from_env(
            env
            | {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": slack.api_url,
                "DATABASE_URL": database,
            }
        )
        client = make_client(settings)
        weekly = build_weekly(settings, client)
        assert weekly is not None
        server = waitress.create_server(
            wsgi_app(create_app(settings, client, weekly.commands)), host="127.0.0.1", port=0
        )
        threading.Thread(target=server.run, daemon=True).start()
        yield Bot(f"http://127.0.0.1:{server.effective_port}", slack, database)  # type: ignore[union-attr]
        server.close()


def test_admin_watches_a_sheet(bot: Bot) -> None:
    ack, reply = bot.command(f"watch <{URL}> weekly friday 16:30 Europe/London", user="U_ADMIN")
    assert "Checking" in message_text(ack)
    assert "Watching *Daily" in message_text(reply)
    assert "every Friday at 16:30 (Europe/London)" in message_text(reply)
    (watch,) = Store(connect(bot.database)).watches("C1")
    assert (watch.sheet_key, watch.weekday, watch.created_by) == (KEY, Weekday.FRIDAY, "U_ADMIN")
    _, listing = bot.command("watching", user="U_MEMBER")
    assert "Friday 16:30 (Europe/London)" in message_text(listing)


def test_member_is_refused_and_unshared_sheet_names_the_account(bot: Bot) -> None:
    _, refused = bot.command(f"watch {URL}", user="U_MEMBER")
    assert "Only workspace admins" in message_text(refused)
    _, unshared = bot.command(
        "watch https://docs.google.com/spreadsheets/d/1NotShared_abcdefghijkl/edit", user="U_ADMIN"
    )
    assert f"Share it with {CLIENT_EMAIL}" in message_text(unshared)
    assert Store(connect(bot.database)).watches() == []
