"""Issue #17 end to end on the injected clock: the real server composed like ctr-bot (build_weekly),
fake Slack and Google, commands over HTTP, the scheduler and sync passes run by hand.

A watch whose URL carries <!channel> is paused at its due time (the bot isn't in the channel),
its owner's DM shows the URL as typed; two days later the admin invites the bot and runs the
same /ctr watch again, as the DM says: the week's summary goes out, late and saying so, once.
Then Drive is switched off: /ctr status and /healthz say so with the fix, and the watch is
removed by its number although its sheet is no longer shared."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client import REGISTRY

from bot.app import create_app, make_client
from bot.health import report_degraded
from bot.readable import readable
from bot.server import wsgi_app
from bot.settings import Settings
from bot.weekly.runtime import Weekly, build_weekly
from tests.bot.conftest import SIGNING_SECRET, message_text
from tests.bot.weekly.conftest import Clock
from tests.bot.weekly.test_watch_e2e import Bot
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_fixtures import KEY, campaign_sheet
from tests.fakes.http import running_waitress
from tests.fakes.slack_api import BOT_TOKEN, running_fake_slack

URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0<!channel>"
DUE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 09:00 UTC


class Running(Bot):
    weekly: Weekly
    clock: Clock


@pytest.fixture
def bot(env: dict[str, str], google: FakeGoogle, tmp_path: Path) -> Iterator[Running]:
    google.spreadsheets[KEY] = [campaign_sheet([["2026-11-16", "*Bold* promo", 5000, 50, 1.0]])]
    google.names[KEY] = "Q4 plan"
    clock = Clock(datetime(2026, 11, 18, 12, 0, tzinfo=UTC))
    with running_fake_slack() as slack:
        slack.users["U_ADMIN"] = {"id": "U_ADMIN", "is_admin": True, "tz": "UTC"}
        settings = Settings.from_env(
            env
            | {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": slack.api_url,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'state.sqlite3'}",
            }
        )
        client = make_client(settings)
        weekly = build_weekly(settings, client, clock)
        assert weekly is not None
        app = wsgi_app(create_app(settings, client, weekly.commands))
        with running_waitress(app) as url:
            running = Running(url, slack, settings.database_url, settings.sheets.quota_per_minute)
            running.weekly, running.clock = weekly, clock
            yield running
    report_degraded("drive_changes", None)  # the registry is the process's: leave it clean


def shown(message: dict[str, Any]) -> str:
    return readable(message_text(message))


def test_a_summary_owed_is_sent_late_after_a_pause_and_a_re_watch(bot: Running) -> None:
    _, reply = bot.command(f"watch {URL} weekly monday 09:00 UTC", user="U_ADMIN")
    assert "Watching Q4 plan: its CTR summary comes" in shown(reply)
    scheduler = bot.weekly.scheduler
    bot.slack.channel_errors["C1"] = "not_in_channel"  # someone removed the bot
    bot.clock.now = DUE + timedelta(seconds=20)
    assert scheduler.run_due() == {}
    (dm,) = [m for m in bot.slack.posts() if m["channel"] == "U_ADMIN"]
    assert "<!channel>" not in json.dumps(dm)  # issue #17.7
    assert "invite me with /invite @CTR" in readable(dm["text"])
    assert URL in readable(dm["text"])

    bot.slack.channel_errors.clear()  # invited back two days later
    bot.clock.now = DUE + timedelta(days=2)
    _, again = bot.command(f"watch {URL} weekly monday 09:00 UTC", user="U_ADMIN")
    assert "was not sent yet: it goes out within a minute" in shown(again)
    outcomes = scheduler.run_due()
    assert list(outcomes.values()) == ["posted"]
    (summary,) = bot.slack.top_level("C1")
    text = shown({"blocks": summary["blocks"]})
    assert "Weekly CTR · Q4 plan · 16 Nov – 22 Nov 2026 (UTC)" in text
    assert "Sent 2 days late" in text
    assert "*Bold* promo" in text  # as typed, not bold
    bot.clock.now += timedelta(minutes=1)
    assert scheduler.run_due() == {}
    assert len(bot.slack.top_level("C1")) == 1


def test_drive_off_is_visible_and_an_unshared_sheet_can_be_unwatched(
    bot: Running, google: FakeGoogle
) -> None:
    bot.command(f"watch {URL} weekly monday 09:00 UTC", user="U_ADMIN")
    failures = REGISTRY.get_sample_value("ctr_drive_change_feed_failures_total") or 0.0
    google.drive_disabled = "123456"
    bot.weekly.syncer.run_once()
    _, status = bot.command("status", user="U_ADMIN")
    assert "Drive's change feed fails" in shown(status)
    assert "enable the Drive API for project 123456" in shown(status)
    health = requests.get(bot.url + "/healthz", timeout=10).json()
    assert health["status"] == "degraded"
    assert "enable the Drive API" in health["degraded"]["drive_changes"]
    assert REGISTRY.get_sample_value("ctr_drive_change_feed_failures_total") == failures + 1
    google.log.clear()
    bot.clock.now += timedelta(minutes=61)  # no change reported, but the feed is off
    bot.weekly.syncer.run_once()
    assert google.api_calls()  # read within the hour, not left stale for a day

    google.unshared.add(KEY)
    _, listing = bot.command("watching", user="U_ADMIN")
    assert "1. Q4 plan · " in shown(listing)
    _, stopped = bot.command("unwatch 1", user="U_ADMIN")
    assert "Stopped: no more weekly summaries of Q4 plan" in shown(stopped)
    google.drive_disabled = None
    bot.clock.now += timedelta(minutes=4)
    bot.weekly.syncer.run_once()
    health = requests.get(bot.url + "/healthz", timeout=10).json()
    assert health["status"] == "ok"


def test_an_external_user_is_told_what_to_do_not_to_try_again(bot: Running) -> None:
    _, reply = bot.command(f"watch {URL}", user="U_GUEST_ELSEWHERE")
    text = shown(reply)
    assert "I can't check who you are" in text
    assert "try again" not in text
