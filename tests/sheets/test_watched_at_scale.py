"""Watched sheets against the quota-enforcing fake Google on virtual time: a pass reads only what
Drive says changed, a no-op pass costs one Drive call, a day heals a missed change, a pass that
can't keep up says so, and a summary reuses the sync's read."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.store.engine import connect, migrate
from bot.store.records import NewWatch
from bot.store.repository import Store
from bot.weekly.access import GoogleSheetAccess
from bot.weekly.runtime import CHANGE_POLL, WatchedSheetsSync
from bot.weekly.source import SheetReportSource
from core.schedule import Weekday
from sheets.changes import DriveChanges
from sheets.client import ResilientHTTPClient, make_client
from sheets.quota import QuotaScheduler
from sheets.settings import SheetsSettings
from tests.fakes.google_api import FakeGoogle
from tests.sheets.conftest import CLIENT_EMAIL, campaign_sheet

INTERVAL = timedelta(minutes=15)


def url(key: str) -> str:
    return f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"


@pytest.fixture
def paced(env: dict[str, str], google: FakeGoogle) -> ResilientHTTPClient:
    """A client at Google's real quota, waiting in the fake's virtual time."""
    settings = SheetsSettings.from_env(env | {"SHEETS_QUOTA_PER_MINUTE": "60"})
    quota = QuotaScheduler(60, clock=google.clock, sleep=google.clock.sleep)
    client, _ = make_client(settings, sleep=google.clock.sleep, quota=quota)
    return client


@pytest.fixture
def store(tmp_path: Path, google: FakeGoogle) -> Store:
    engine = connect(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    migrate(engine)
    return Store(engine, clock=google.clock.datetime)


def watch(google: FakeGoogle, store: Store, count: int) -> list[str]:
    keys = [f"1Sheet{index:04d}_abcdefghijklmnop" for index in range(count)]
    for key in keys:
        google.spreadsheets[key] = [campaign_sheet([["2026-11-16", "A", 1000, 10, 1.0]])]
        store.watches.add_watch(
            NewWatch("T1", "C1", key, url(key), Weekday.MONDAY, time(9), "UTC", "U1")
        )
    return keys


def syncer(client: ResilientHTTPClient, store: Store, google: FakeGoogle) -> WatchedSheetsSync:
    return WatchedSheetsSync(
        store.syncs,
        store.watches,
        store.history,
        GoogleSheetAccess(client, CLIENT_EMAIL),
        google.clock.datetime,
        changes=DriveChanges(client),
        interval=INTERVAL,
    )


def next_pass(google: FakeGoogle, loop: WatchedSheetsSync, started: float) -> tuple[int, int]:
    """Wait for the next interval (virtual), run a pass: (Sheets calls, Drive calls) it made."""
    google.clock.advance(started + INTERVAL.total_seconds() - google.clock())
    google.log.clear()
    loop.run_once()
    return len(google.api_calls()), len(google.drive_calls())


def test_an_unchanged_interval_costs_one_drive_call_and_no_sheets_call(
    paced: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    keys = watch(google, store, 30)
    loop = syncer(paced, store, google)
    started = google.clock()
    assert loop.run_once() == 30  # never synced: all of them (each first sync writes)
    assert google.spreadsheets[keys[7]][0].rows[1][5].value == 0.01
    started = google.clock()
    assert next_pass(google, loop, started) == (0, 1)  # our own writes: adopted, unread
    started = google.clock()
    assert next_pass(google, loop, started) == (0, 1)
    assert google.quota.refusals() == 0


def test_a_persons_edit_is_synced_in_the_next_pass_and_only_that_sheet_is_read(
    paced: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    keys = watch(google, store, 10)
    loop = syncer(paced, store, google)
    loop.run_once()
    next_pass(google, loop, google.clock())
    sheet = google.spreadsheets[keys[3]][0]
    sheet.cell(1, 3).value = 50  # a person types new clicks
    google.touch(keys[3])
    assert next_pass(google, loop, google.clock()) == (3, 1)  # read, write, verify read
    assert sheet.rows[1][5].value == 0.05
    assert store.syncs.sync_states()[keys[3]].synced_at == google.clock.datetime()


def test_a_change_drive_never_reported_is_healed_within_a_day(
    paced: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    keys = watch(google, store, 3)
    loop = syncer(paced, store, google)
    loop.run_once()
    next_pass(google, loop, google.clock())
    google.spreadsheets[keys[0]][0].cell(1, 3).value = 20  # edited, but Drive never says so
    # Passes 2..95 (the first sync was pass 0): just under a day since the first sync.
    calls = [next_pass(google, loop, google.clock()) for _ in range(94)]
    assert set(calls) == {(0, 1)}
    assert google.spreadsheets[keys[0]][0].rows[1][5].value == 0.01
    sheets_calls, _ = next_pass(google, loop, google.clock())  # 24 h since the first sync
    assert sheets_calls >= 3
    assert google.spreadsheets[keys[0]][0].rows[1][5].value == 0.02


def synced_keys(store: Store) -> set[str]:
    return {key for key, state in store.syncs.sync_states().items() if state.synced_at is not None}


def test_a_pass_that_cannot_keep_up_says_so_and_the_rest_go_next_oldest_first(
    paced: ResilientHTTPClient, google: FakeGoogle, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    keys = watch(google, store, 400)  # ~4 requests each first time: far over 15 min of quota
    loop = syncer(paced, store, google)
    with caplog.at_level(logging.WARNING):
        synced = loop.run_once()
    assert 0 < synced < 400
    assert loop.backlog == 400 - synced
    assert f"{400 - synced} of 400 sheets" in caplog.text
    assert "demand exceeds the Sheets quota" in caplog.text
    assert google.quota.refusals() == 0
    done = synced_keys(store)
    assert done == set(keys[:synced])  # in the order they were watched: none synced before
    loop.run_once()
    assert synced_keys(store) > done


def test_a_summary_reuses_the_syncs_read_until_the_sheet_changes(
    paced: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    (key,) = watch(google, store, 1)
    loop = syncer(paced, store, google)
    loop.run_once()
    next_pass(google, loop, google.clock())  # learns our write's version from Drive
    source = SheetReportSource(
        lambda w: loop.access.open(w.sheet_url),
        store.history,
        google.clock.datetime,
        last_reads=loop.last_reads,
        changes=DriveChanges(paced),
    )
    # As /ctr watch stores it: with the spreadsheet's name (a watch from before migration
    # 0006 costs one more metadata read per summary to learn it).
    (the_watch,) = (replace(w, sheet_name="Plan") for w in store.watches.all())
    google.log.clear()
    rendered = source(the_watch, date(2026, 11, 16), None)
    assert "16 Nov" in rendered.text
    assert (len(google.api_calls()), len(google.drive_calls())) == (0, 1)
    google.spreadsheets[key][0].cell(1, 3).value = 30
    google.touch(key)
    google.log.clear()
    source(the_watch, date(2026, 11, 16), None)
    assert len(google.api_calls()) == 2  # changed: read again (metadata, values)


def test_the_store_remembers_versions_across_a_restart(
    paced: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    watch(google, store, 5)
    syncer(paced, store, google).run_once()
    google.clock.advance(INTERVAL.total_seconds())
    restarted = syncer(paced, store, google)
    google.log.clear()
    restarted.run_once()
    assert len(google.api_calls()) == 0  # synced within the day, unchanged since: not read
    assert isinstance(store.syncs.sync_states()["1Sheet0000_abcdefghijklmnop"].synced_at, datetime)


def replica(
    client: ResilientHTTPClient, store: Store, google: FakeGoogle, owner: str
) -> WatchedSheetsSync:
    loop = syncer(client, store, google)
    loop.owner = owner
    return loop


def test_replicas_never_sync_the_same_sheet_in_one_interval_and_take_over_a_dead_ones(
    paced: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    keys = watch(google, store, 6)
    first, second = (replica(paced, store, google, name) for name in ("r1", "r2"))
    assert first.run_once() == 6
    assert second.run_once() == 0  # r1 holds every sheet for this interval
    sheet = google.spreadsheets[keys[2]][0]
    sheet.cell(1, 3).value = 50  # a person edits within the interval
    google.touch(keys[2])
    google.clock.advance(CHANGE_POLL)
    google.log.clear()
    assert second.run_once() == 0  # still r1's this interval: r2 reads nothing
    assert google.api_calls() == []
    last_claim = google.clock()
    assert first.run_once() == 1  # the holder picks the edit up (and holds it an interval)
    assert sheet.rows[1][5].value == 0.05
    assert len(google.drive_calls()) == 1  # r2 asked Drive; r1 found the change in the store
    sheet.cell(1, 3).value = 20  # r1 dies; another edit
    google.touch(keys[2])
    google.clock.advance(last_claim + INTERVAL.total_seconds() + 1 - google.clock())
    assert second.run_once() >= 1  # its claim ran out: r2 takes the sheet over
    assert sheet.rows[1][5].value == 0.02
    assert google.quota.refusals() == 0


def test_three_replicas_share_one_drive_listing_per_turn(
    paced: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    """A no-op interval costs the replicas together what it costs one: each passes every
    CHANGE_POLL, a minute apart, and one listing per turn serves all three."""
    watch(google, store, 9)
    replicas = [replica(paced, store, google, f"r{index}") for index in range(3)]
    replicas[0].run_once()
    next_pass(google, replicas[0], google.clock())  # our first writes adopted: all quiet now
    google.log.clear()
    start = google.clock()
    for minute in range(15):  # each replica passes every 3 minutes, a minute after the last
        google.clock.advance(start + minute * 60 - google.clock())
        replicas[minute % 3].run_once()
    assert google.api_calls() == []
    assert len(google.drive_calls()) <= INTERVAL.total_seconds() / CHANGE_POLL
