"""`/ctr watch` end to end: the real server composed like ctr-bot, fake Slack and Google."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot.app import create_app, make_client
from bot.readable import readable
from bot.server import wsgi_app
from bot.settings import Settings
from bot.store.engine import connect
from bot.store.repository import Store
from bot.store.schema import quota_buckets
from bot.weekly.runtime import build_weekly
from core.schedule import Weekday
from sheets.client import MAX_TRIES
from sheets.quota import Bucket
from tests.bot.conftest import SIGNING_SECRET, command_body, message_text, signed
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_fixtures import CLIENT_EMAIL, KEY, campaign_sheet
from tests.fakes.http import running_waitress
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack, running_fake_slack

URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"


class Bot:
    def __init__(self, url: str, slack: FakeSlack, database: str, quota: int) -> None:
        self.url, self.slack, self.database = url, slack, database
        self.quota = quota  # SHEETS_QUOTA_PER_MINUTE

    def ack(self, text: str, user: str) -> dict[str, Any]:
        body, headers = signed(command_body(text, self.slack.response_url, user=user))
        ack = requests.post(
            self.url + "/slack/events", data=body.encode(), headers=headers, timeout=10
        )
        assert ack.status_code == 200
        reply: dict[str, Any] = ack.json()
        return reply

    def command(self, text: str, user: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the ack, the follow-up posted to the response_url)."""
        before = len(self.slack.responses)
        ack = self.ack(text, user)
        deadline = time.monotonic() + 15
        while len(self.slack.responses) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.slack.responses) > before, "no follow-up arrived"
        return ack, self.slack.responses[-1]


@pytest.fixture
def bot(env: dict[str, str], google: FakeGoogle, tmp_path: Path) -> Iterator[Bot]:
    # CTR_ADMINS left empty: every watch command asks Slack's users.info who is an admin.
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
        with running_waitress(wsgi_app(create_app(settings, client, weekly.commands))) as url:
            yield Bot(url, slack, database, settings.sheets.quota_per_minute)


def shown(message: dict[str, Any]) -> str:
    """The message's text as a person reads it in Slack."""
    return readable(message_text(message))


def test_admin_watches_a_sheet(bot: Bot) -> None:
    ack, reply = bot.command(f"watch <{URL}> weekly friday 16:30 Europe/London", user="U_ADMIN")
    assert "Checking" in message_text(ack)
    assert "Watching Spreadsheet 1TestSpreadsheetKey_abcdefghij:" in shown(reply)
    assert "every Friday at 16:30 (Europe/London)" in message_text(reply)
    (watch,) = Store(connect(bot.database)).watches.all("C1")
    assert (watch.sheet_key, watch.weekday, watch.created_by) == (KEY, Weekday.FRIDAY, "U_ADMIN")
    _, listing = bot.command("watching", user="U_MEMBER")
    assert "Friday 16:30 (Europe/London)" in message_text(listing)
    with connect(bot.database).connect() as db:  # the sheet check's read took a shared token
        buckets = dict(db.execute(select(quota_buckets.c.name, quota_buckets.c.tokens)).all())
    assert buckets[f"sheets-read/user/{CLIENT_EMAIL}"] < Bucket("", bot.quota).burst


def test_member_is_refused_and_unshared_sheet_names_the_account(bot: Bot) -> None:
    _, refused = bot.command(f"watch {URL}", user="U_MEMBER")
    assert "Only workspace admins" in message_text(refused)
    _, unshared = bot.command(
        "watch https://docs.google.com/spreadsheets/d/1NotShared_abcdefghijkl/edit", user="U_ADMIN"
    )
    assert f"Share it with {CLIENT_EMAIL}" in message_text(unshared)
    assert Store(connect(bot.database)).watches.all() == []


def test_any_whitespace_separates_the_words(bot: Bot) -> None:
    ack, reply = bot.command(f"watch\t<{URL}>\tweekly friday\t16:30", user="U_ADMIN")
    assert "Checking" in message_text(ack)
    assert "every Friday at 16:30 (Europe/Paris)" in message_text(reply)


def test_a_bad_watch_command_is_answered_once_in_the_ack(bot: Bot) -> None:
    ack = bot.ack("watch not-a-url", user="U_ADMIN")
    assert "doesn't look like a Google Sheets link" in message_text(ack)
    _, listing = bot.command("watching", user="U_MEMBER")  # a follow-up that must come
    assert bot.slack.responses == [listing]  # and none for the bad command


def test_when_slack_fails_the_person_gets_an_apology_saying_what_to_try(bot: Bot) -> None:
    bot.slack.fail_next["users.info"] = "internal_error"
    ack, reply = bot.command(f"watch {URL}", user="U_ADMIN")
    assert "Checking" in message_text(ack)
    text = message_text(reply)
    assert "Sorry" in text
    assert "try again" in text
    assert len(bot.slack.responses) == 1


def test_when_google_fails_the_person_gets_an_apology_saying_what_to_try(
    bot: Bot, google: FakeGoogle
) -> None:
    google.faults.extend([(503, {"Retry-After": "0"})] * MAX_TRIES)
    _, reply = bot.command(f"watch {URL} weekly monday 09:00 UTC", user="U_ADMIN")
    text = message_text(reply)
    assert "Sorry" in text
    assert "Google Sheets" in text
    assert "try again" in text
    assert Store(connect(bot.database)).watches.all() == []


def test_status_shows_admins_the_watched_sheets_and_the_quota(bot: Bot) -> None:
    bot.command(f"watch {URL} weekly friday 16:30", user="U_ADMIN")
    _, refused = bot.command("status", user="U_MEMBER")
    assert "Only workspace admins" in message_text(refused)
    _, status = bot.command("status", user="U_ADMIN")
    text = message_text(status)
    assert "1 watched sheet(s)" in text
    assert "this replica's quota use in the last minute: reads" in text
    assert URL in readable(text)
