"""Watched sheets against the quota-enforcing fake Google on virtual time: a pass reads only what
Drive says changed, a no-op pass costs one Drive call, a day heals a missed change, a pass that
can't keep up says so, and a summary reuses the sync's read."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.store.engine import connect, migrate
from bot.store.records import NewWatch
from bot.store.repository import Store
from bot.weekly.access import GoogleSheetAccess
from bot.weekly.source import SheetReportSource
from bot.weekly.watched_sync import CHANGE_POLL, WatchedSheetsSync
from core.schedule import Weekday
from sheets.changes import DriveChanges
from sheets.client import ResilientHTTPClient, make_client
from sheets.quota import QuotaScheduler
from sheets.settings import SheetsSettings
from tests.fakes.google_api import FakeGoogle, Worksheet
from tests.fakes.google_quota import START
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


def summary_source(loop: WatchedSheetsSync, store: Store, paced: ResilientHTTPClient) -> Any:
    """A summary source as ctr-bot wires it: the store's totals, syncing an edited sheet first."""
    return SheetReportSource(
        lambda w: loop.access.open(w.sheet_url),
        store.history,
        loop.clock,
        changes=DriveChanges(paced),
        totals=loop.totals,
        sync_first=loop.sync_for_summary,
        me=CLIENT_EMAIL,
    )


def with_totals(loop: WatchedSheetsSync, store: Store, owner: str = "r1") -> WatchedSheetsSync:
    loop.totals, loop.owner = store.weekly_totals, owner
    return loop


def test_a_summary_of_an_unchanged_sheet_reads_no_sheet_on_any_replica(
    paced: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    """Totals live in the store: a replica that never read the sheet (or just restarted)
    summarises it from them. Before #19 it read the sheet (2 reads) on every cache miss."""
    keys = watch(google, store, 3)
    loop = with_totals(syncer(paced, store, google), store)
    loop.run_once()
    next_pass(google, loop, google.clock())  # our own writes' versions, from Drive
    other = with_totals(syncer(paced, store, google), store, "r2")  # nothing in its memory
    source = summary_source(other, store, paced)
    google.log.clear()
    for the_watch in store.watches.all():
        rendered = source(replace(the_watch, sheet_name="Plan"), date(2026, 11, 16), None)
        assert "1.00%" in rendered.text
    assert len(google.api_calls()) == 0
    assert len(google.drive_calls()) == len(keys)  # "is it still that version?": Drive only


def test_an_edited_sheet_is_synced_first_and_that_one_read_serves_both(
    paced: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    (key,) = watch(google, store, 1)
    loop = with_totals(syncer(paced, store, google), store)
    loop.run_once()
    next_pass(google, loop, google.clock())
    sheet = google.spreadsheets[key][0]
    sheet.cell(1, 3).value = 30  # a person types new clicks just before 09:00
    google.touch(key)
    google.log.clear()
    (the_watch,) = (replace(w, sheet_name="Plan") for w in store.watches.all())
    rendered = summary_source(loop, store, paced)(the_watch, date(2026, 11, 16), None)
    assert "3.00%" in rendered.text  # the summary shows the edit ...
    assert sheet.rows[1][5].value == 0.03  # ... and the sheet's CTR column does too
    reads = [call for call in google.api_calls() if call[0] == "GET"]
    assert len(reads) == 2  # the sync's read and its verify read; the summary none of its own
    assert not store.syncs.sync_states()[key].due
    google.log.clear()
    loop.run_once()  # the routine pass: nothing left to read
    assert google.api_calls() == []


def test_a_summary_reads_the_sheet_while_another_sync_holds_it(
    paced: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    (key,) = watch(google, store, 1)
    loop = with_totals(syncer(paced, store, google), store)
    loop.run_once()
    google.spreadsheets[key][0].cell(1, 3).value = 40
    google.touch(key)
    google.clock.advance(INTERVAL.total_seconds() + 1)  # r1's claim has run out
    assert store.syncs.claim_sheet(key, "r9", INTERVAL) is not None  # r9 syncs it now
    (the_watch,) = (replace(w, sheet_name="Plan") for w in store.watches.all())
    google.log.clear()
    rendered = summary_source(loop, store, paced)(the_watch, date(2026, 11, 16), None)
    assert "4.00%" in rendered.text
    assert google.writes() == []  # read, not synced: r9's to sync


def test_running_totals_summarised_from_the_store_record_the_weeks_snapshot(
    paced: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    key = "1Running_abcdefghijklmnopqrs"
    google.spreadsheets[key] = [running_sheet(10)]
    store.watches.add_watch(
        NewWatch("T1", "C1", key, url(key), Weekday.MONDAY, time(9), "UTC", "U1")
    )
    loop = with_totals(syncer(paced, store, google), store)
    loop.run_once()  # Monday 16 Nov: the first snapshot
    next_pass(google, loop, google.clock())
    google.spreadsheets[key][0].cell(1, 1).value = 2000
    google.spreadsheets[key][0].cell(1, 2).value = 30
    google.touch(key)
    google.clock.advance(10 * 86_400)
    loop.run_once()  # Thursday 26 Nov: the next week's totals, kept
    next_pass(google, loop, google.clock())
    google.clock.advance(START + 14 * 86_400 + 9 * 3600 - google.clock())  # Monday 30, 09:00
    (the_watch,) = (replace(w, sheet_name="Plan") for w in store.watches.all())
    google.log.clear()
    rendered = summary_source(loop, store, paced)(the_watch, date(2026, 11, 23), None)
    assert google.api_calls() == []
    assert "2.00%" in rendered.text  # 20 more clicks in 1,000 more impressions
    weeks = {snap.week for snap in store.history.snapshots(key)}
    assert weeks == {date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)}


def running_sheet(clicks: int) -> Worksheet:
    """No date column: running totals, whose weeks come from the store's snapshots."""
    values: list[list[Any]] = [["Campaign", "Impressions", "Clicks", "CTR"], ["A", 1000, clicks]]
    return Worksheet.of("Totals", 0, values, row_count=2, column_count=4)


def test_a_daily_resync_keeps_totals_a_summary_can_use(
    paced: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    """The daily full sync doesn't know the version it reads from the listing: it asks Drive
    first, so its totals still say which version they show (else every unchanged sheet's
    summary would sync it again)."""
    (key,) = watch(google, store, 1)
    loop = with_totals(syncer(paced, store, google), store)
    loop.run_once()
    next_pass(google, loop, google.clock())
    google.clock.advance(86_400)
    google.log.clear()
    assert loop.run_once() == 1  # a day unsynced: read again, nothing to write
    assert google.writes() == []
    kept = store.weekly_totals.get(key, 0)
    assert kept is not None
    assert kept.version == google.modified_time(key)
    (the_watch,) = (replace(w, sheet_name="Plan") for w in store.watches.all())
    google.log.clear()
    summary_source(loop, store, paced)(the_watch, date(2026, 11, 16), None)
    assert google.api_calls() == []


def test_a_summary_right_after_our_own_write_reads_no_sheet(
    paced: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    """Totals our write left (its version not yet listed) serve while Drive says our service
    account made the latest change; a person's edit after it makes the summary sync first.
    (bench_burst found 7 reads in 1,000 summaries from this window before.)"""
    (key,) = watch(google, store, 1)
    loop = with_totals(syncer(paced, store, google), store)
    loop.run_once()  # writes the CTR columns: the kept totals' version is unknown yet
    kept = store.weekly_totals.get(key, 0)
    assert kept is not None
    assert kept.version is None
    (the_watch,) = (replace(w, sheet_name="Plan") for w in store.watches.all())
    google.log.clear()
    summary_source(loop, store, paced)(the_watch, date(2026, 11, 16), None)
    assert google.api_calls() == []
    google.spreadsheets[key][0].cell(1, 3).value = 70
    google.touch(key)
    google.clock.advance(INTERVAL.total_seconds() + 1)
    rendered = summary_source(loop, store, paced)(the_watch, date(2026, 11, 16), None)
    assert "7.00%" in rendered.text
