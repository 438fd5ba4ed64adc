"""Exactly one summary per (channel, sheet, week) with three real replica processes,
on SQLite and on PostgreSQL, including a replica killed after Slack stored its message.

Each replica is composed from settings like ctr-bot (build_weekly) and reads the watched
sheet from the fake Google, so the posted summaries are the real thing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store.engine import connect, migrate
from bot.store.repository import NewWatch, Store
from core.schedule import Weekday, WeeklySlot, latest_due
from tests.fakes.google_api import FakeGoogle, Value
from tests.fakes.google_fixtures import KEY, campaign_sheet
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack

SHEET_URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.sqlite3'}"
        return
    url: str = request.getfixturevalue("postgres_url")
    engine = connect(url)
    with engine.begin() as db:
        db.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    yield url


def watch_due_a_minute_ago(database_url: str, google: FakeGoogle) -> Store:
    """A watch whose weekly slot passed a minute ago, created the day before, of a sheet with a
    week of daily rows for the week that summary reports on."""
    now = datetime.now(UTC)
    due = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    slot = WeeklySlot(Weekday(due.weekday()), due.time(), UTC)
    week = latest_due(slot, now).reported_week
    rows: list[list[Value]] = [
        [(week + timedelta(days=d)).isoformat(), name, 10_000, 100 + 10 * d, 1.0]
        for d in range(7)
        for name in ("Search", "Social")
    ]
    google.spreadsheets[KEY] = [campaign_sheet(rows)]
    engine = connect(database_url)
    migrate(engine)
    store = Store(engine, clock=lambda: now - timedelta(days=1))
    store.add_watch(
        NewWatch(
            team_id="T1",
            channel_id="C1",
            sheet_key=KEY,
            sheet_url=SHEET_URL,
            weekday=slot.weekday,
            at=slot.at,
            timezone="UTC",
            created_by="U1",
        )
    )
    return store


def start_replica(
    settings: dict[str, str], owner: str, *, lease: float, passes: int, interval: float
) -> subprocess.Popen[str]:
    args = [owner, str(lease), str(passes), str(interval)]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.bot.weekly.replica", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **settings, "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture
def settings(database_url: str, slack: FakeSlack, env: dict[str, str]) -> dict[str, str]:
    """What an operator would set, pointing at the fakes."""
    return env | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "unused-here",
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
    }


def outcomes(process: subprocess.Popen[str]) -> list[str]:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return [json.loads(line)["outcome"] for line in out.splitlines()]


def test_three_replicas_post_once(
    database_url: str, settings: dict[str, str], slack: FakeSlack, google: FakeGoogle
) -> None:
    store = watch_due_a_minute_ago(database_url, google)
    replicas = [
        start_replica(settings, f"replica-{i}", lease=60, passes=4, interval=0.1) for i in range(3)
    ]
    results = [outcome for replica in replicas for outcome in outcomes(replica)]
    assert results.count("posted") == 1
    assert len(slack.posts()) == 1
    assert len(slack.files) == 1
    post = slack.posts()[0]
    week = post["metadata"]["event_payload"]["week"]
    assert store.posted_message("C1", KEY, datetime.fromisoformat(week).date())
    assert "*Total:* 1.30% (1,820 / 140,000" in json.dumps(post["blocks"])  # the real summary
    assert slack.files[0]["thread_ts"] == slack.messages["C1"][0]["ts"]


def test_a_replica_killed_mid_post_is_recovered_without_a_second_message(
    database_url: str, settings: dict[str, str], slack: FakeSlack, google: FakeGoogle
) -> None:
    store = watch_due_a_minute_ago(database_url, google)
    slack.hold_posts.set()  # Slack stores the message, then the poster hangs
    doomed = start_replica(settings, "doomed", lease=1, passes=1, interval=0)
    assert slack.post_stored.wait(timeout=30), "the first replica never posted"
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    slack.hold_posts.clear()
    slack.release_posts.set()
    survivors = [
        start_replica(settings, f"survivor-{i}", lease=1, passes=25, interval=0.2) for i in range(2)
    ]
    results = [outcome for replica in survivors for outcome in outcomes(replica)]
    # "elsewhere" passes are the survivors waiting out the dead replica's lease.
    assert [outcome for outcome in results if outcome != "elsewhere"] == ["recovered"]
    (message,) = slack.messages["C1"]
    assert len(slack.posts()) == 1
    (chart,) = slack.files
    assert chart["thread_ts"] == message["ts"]
    week = message["metadata"]["event_payload"]["week"]
    assert store.posted_message("C1", KEY, datetime.fromisoformat(week).date()) == message["ts"]
