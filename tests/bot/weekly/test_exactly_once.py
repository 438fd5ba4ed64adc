"""Exactly one summary per (channel, sheet, week) with three real replica processes,
on SQLite and on PostgreSQL, including a replica killed after Slack stored its message."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store.engine import connect, migrate
from bot.store.repository import NewWatch, Store
from core.schedule import Weekday
from tests.fakes.slack_api import FakeSlack

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


def watch_due_a_minute_ago(database_url: str) -> Store:
    """A watch whose weekly slot passed one minute ago, created the day before."""
    now = datetime.now(UTC)
    slot = now - timedelta(minutes=1)
    engine = connect(database_url)
    migrate(engine)
    store = Store(engine, clock=lambda: now - timedelta(days=1))
    store.add_watch(
        NewWatch(
            team_id="T1",
            channel_id="C1",
            sheet_key="sheet-1",
            sheet_url="https://x/sheet-1",
            weekday=Weekday(slot.weekday()),
            at=time(slot.hour, slot.minute),
            timezone="UTC",
            created_by="U1",
        )
    )
    return store


def start_replica(
    database_url: str, slack: FakeSlack, owner: str, *, lease: float, passes: int, interval: float
) -> subprocess.Popen[str]:
    argv = [database_url, slack.api_url, owner, str(lease), str(passes), str(interval)]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.bot.weekly.replica", *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def outcomes(process: subprocess.Popen[str]) -> list[str]:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return [json.loads(line)["outcome"] for line in out.splitlines()]


def test_three_replicas_post_once(database_url: str, slack: FakeSlack) -> None:
    store = watch_due_a_minute_ago(database_url)
    replicas = [
        start_replica(database_url, slack, f"replica-{i}", lease=60, passes=4, interval=0.1)
        for i in range(3)
    ]
    results = [outcome for replica in replicas for outcome in outcomes(replica)]
    assert results.count("posted") == 1
    assert len(slack.posts()) == 1
    assert len(slack.files) == 1
    week = slack.posts()[0]["metadata"]["event_payload"]["week"]
    assert store.posted_message("C1", "sheet-1", datetime.fromisoformat(week).date())


def test_a_replica_killed_mid_post_is_recovered_without_a_second_message(
    database_url: str, slack: FakeSlack
) -> None:
    store = watch_due_a_minute_ago(database_url)
    slack.hold_posts.set()  # Slack stores the message, then the poster hangs
    doomed = start_replica(database_url, slack, "doomed", lease=1, passes=1, interval=0)
    assert slack.post_stored.wait(timeout=30), "the first replica never posted"
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    slack.hold_posts.clear()
    slack.release_posts.set()
    survivors = [
        start_replica(database_url, slack, f"survivor-{i}", lease=1, passes=25, interval=0.2)
        for i in range(2)
    ]
    results = [outcome for replica in survivors for outcome in outcomes(replica)]
    # "elsewhere" passes are the survivors waiting out the dead replica's lease.
    assert [outcome for outcome in results if outcome != "elsewhere"] == ["recovered"]
    (message,) = slack.messages["C1"]
    assert len(slack.posts()) == 1
    (chart,) = slack.files
    assert chart["thread_ts"] == message["ts"]
    week = message["metadata"]["event_payload"]["week"]
    assert (
        store.posted_message("C1", "sheet-1", datetime.fromisoformat(week).date()) == message["ts"]
    )
