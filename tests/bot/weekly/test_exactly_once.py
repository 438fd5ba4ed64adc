"""Exactly one summary and one chart per (channel, sheet, week) with real replica processes,
on SQLite and on PostgreSQL: replicas racing, one SIGKILLed after Slack stored its message,
one SIGSTOPped between its claim and its post until its lease is gone.

Each replica is composed from settings like ctr-bot (build_weekly) and reads the watched
sheet from the fake Google, so the posted summaries are the real thing. Nothing here waits
on time: replicas get their clocks from the test (a replica "after the lease ran out" simply
starts with a later clock), and the fakes hold a replica at a chosen call until the test
says go."""

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
from bot.store.records import NewWatch
from bot.store.repository import Store
from core.schedule import Weekday, WeeklySlot, latest_due
from core.weekly import week_start
from tests.fakes.google_api import FakeGoogle, Value
from tests.fakes.google_fixtures import KEY, campaign_sheet
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack

SHEET_URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"
ROOT = Path(__file__).resolve().parents[3]
LEASE = 60  # seconds; never reached by waiting, only by starting a replica's clock later
AFTER_THE_LEASE = 2 * LEASE


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


def wednesday_noon() -> datetime:
    """The replicas' "now": Wednesday of last week (in the past, as Slack's ts are real time),
    two days after a Monday 09:00 slot, well inside the week it may still be sent in."""
    monday = week_start(datetime.now(UTC).date()) - timedelta(days=7)
    return datetime.combine(monday + timedelta(days=2), time(12), tzinfo=UTC)


NOW = wednesday_noon()


def watch_due_on_monday(database_url: str, google: FakeGoogle) -> Store:
    """A watch due Monday 09:00 UTC, created before then, of a sheet with a week of daily rows
    for the week that summary reports on."""
    slot = WeeklySlot(Weekday.MONDAY, time(9), UTC)
    week = latest_due(slot, NOW).reported_week
    rows: list[list[Value]] = [
        [(week + timedelta(days=d)).isoformat(), name, 10_000, 100 + 10 * d, 1.0]
        for d in range(7)
        for name in ("Search", "Social")
    ]
    google.spreadsheets[KEY] = [campaign_sheet(rows)]
    engine = connect(database_url)
    migrate(engine)
    store = Store(engine, clock=lambda: NOW - timedelta(days=3))
    store.watches.add_watch(
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


@pytest.fixture
def settings(database_url: str, slack: FakeSlack, env: dict[str, str]) -> dict[str, str]:
    """What an operator would set, pointing at the fakes."""
    return env | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "unused-here",
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
    }


def start_replica(settings: dict[str, str], owner: str, offset: float = 0) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.bot.weekly.replica",
            owner,
            str(LEASE),
            NOW.isoformat(),
            str(offset),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **settings, "PYTHONPATH": str(ROOT)},
    )


LOGS: list[str] = []  # the replicas' stderr, shown when an assertion fails


def outcomes(process: subprocess.Popen[str]) -> list[str]:
    out, err = process.communicate(timeout=120)
    LOGS.append(err)
    assert process.returncode == 0, err
    return [json.loads(line)["outcome"] for line in out.splitlines()]


@pytest.fixture(autouse=True)
def replica_logs() -> Iterator[None]:
    LOGS.clear()
    yield
    LOGS.clear()


def the_one_summary(slack: FakeSlack, store: Store) -> dict[str, object]:
    """Asserts one summary in the channel, one chart in its thread, and the store agreeing."""
    (summary,) = slack.top_level("C1")
    (chart,) = slack.files
    assert chart["thread_ts"] == summary["ts"]
    assert [reply["files"][0]["id"] for reply in slack.thread("C1", summary["ts"])] == [chart["id"]]
    week = datetime.fromisoformat(summary["metadata"]["event_payload"]["week"]).date()
    assert store.deliveries.posted_message("C1", KEY, week, team_id="T1") == summary["ts"]
    assert store.deliveries.delivery_done("C1", KEY, week, team_id="T1")
    assert "*Total:* 1.30% (no usual yet: first week) \\u00b7 1,820 / 140,000" in json.dumps(
        summary["blocks"]
    )  # the real thing
    return summary


def test_three_replicas_post_once(
    database_url: str, settings: dict[str, str], slack: FakeSlack, google: FakeGoogle
) -> None:
    store = watch_due_on_monday(database_url, google)
    replicas = [start_replica(settings, f"replica-{i}") for i in range(3)]
    results = [outcome for replica in replicas for outcome in outcomes(replica)]
    assert results.count("posted") == 1, "\n".join(LOGS)
    assert set(results) <= {"posted", "elsewhere"}
    the_one_summary(slack, store)
    assert len(slack.posts()) == 1


def test_a_replica_killed_after_slack_stored_its_post_is_recovered_without_a_second_message(
    database_url: str, settings: dict[str, str], slack: FakeSlack, google: FakeGoogle
) -> None:
    store = watch_due_on_monday(database_url, google)
    stored = slack.hold("chat.postMessage", when="after")  # stored, not yet answered
    doomed = start_replica(settings, "doomed")
    assert stored.arrived.wait(timeout=60), "the first replica never posted"
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)
    stored.go()
    survivors = [start_replica(settings, f"survivor-{i}", AFTER_THE_LEASE) for i in range(2)]
    results = [outcome for replica in survivors for outcome in outcomes(replica)]
    assert sorted(results) in (["recovered"], ["elsewhere", "recovered"])
    the_one_summary(slack, store)
    assert len(slack.posts()) == 1


def test_a_replica_stopped_between_claim_and_post_until_its_lease_ran_out_posts_nothing(
    database_url: str, settings: dict[str, str], slack: FakeSlack, google: FakeGoogle
) -> None:
    store = watch_due_on_monday(database_url, google)
    reading = google.hold_next_read()  # the claim is taken; the sheet is being read
    stalled = start_replica(settings, "stalled")
    assert reading.arrived.wait(timeout=60), "the first replica never read the sheet"
    stalled.send_signal(signal.SIGSTOP)  # a GC pause, a suspended VM...
    try:
        reading.go()
        taker = start_replica(settings, "taker", AFTER_THE_LEASE)
        assert outcomes(taker) == ["posted"]
        summary = the_one_summary(slack, store)
    finally:
        stalled.send_signal(signal.SIGCONT)
    assert outcomes(stalled) == ["elsewhere"]  # it woke up fenced off: no post, no chart
    assert the_one_summary(slack, store) == summary
    assert len(slack.posts()) == 1
    assert summary["metadata"]["event_payload"]["by"] == "taker"  # type: ignore[index]
