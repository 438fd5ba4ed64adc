"""The bot's Google side of weekly summaries, against the fake Google: access checks, syncing
watched sheets, and snapshots of running totals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from bot.store.engine import connect, migrate
from bot.store.records import NewWatch
from bot.store.repository import Store
from bot.weekly.access import GoogleSheetAccess
from bot.weekly.commands import SheetInfo
from bot.weekly.source import SheetReportSource
from bot.weekly.watched_sync import WatchedSheetsSync
from core.errors import CtrError, InputError
from core.schedule import Weekday
from sheets.client import ResilientHTTPClient
from tests.fakes.google_api import Cell, FakeGoogle, Worksheet
from tests.sheets.conftest import CLIENT_EMAIL, KEY, campaign_sheet

URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    engine = connect(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    migrate(engine)
    return Store(engine, clock=lambda: datetime(2026, 11, 18, 12, tzinfo=UTC))


def test_access_check_names_the_service_account(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    google.spreadsheets[KEY] = [campaign_sheet([])]
    google.names[KEY] = "Q4 budget"
    access = GoogleSheetAccess(client, CLIENT_EMAIL)
    week, today = date(2026, 11, 16), date(2026, 11, 25)
    assert access.check(URL, week, today=today, timezone="UTC") == SheetInfo(KEY, "Q4 budget", 0)
    with pytest.raises(CtrError, match=f"Share it with {CLIENT_EMAIL}"):
        access.check(
            "https://docs.google.com/spreadsheets/d/1NotSharedWithUs_abcdefgh/edit",
            week,
            today=today,
            timezone="UTC",
        )


def test_a_tab_without_a_campaign_table_is_refused_at_watch_time(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    """Issue #17.5: such a watch was stored and failed only at its due time."""
    google.spreadsheets[KEY] = [
        campaign_sheet([]),
        Worksheet.of("Notes", 7, [["Ideas"], ["more video"]]),
    ]
    access = GoogleSheetAccess(client, CLIENT_EMAIL)
    week, today = date(2026, 11, 16), date(2026, 11, 25)
    with pytest.raises(CtrError, match="no campaign table") as refused:
        access.check(URL.replace("gid=0", "gid=7"), week, today=today, timezone="UTC")
    assert "Impressions and Clicks" in str(refused.value)
    assert "--" not in str(refused.value)  # the sync's CLI options mean nothing in Slack
    with pytest.raises(CtrError, match="no tab with gid=9"):
        access.check(URL.replace("gid=0", "gid=9"), week, today=today, timezone="UTC")
    with pytest.raises(InputError) as not_sheets:
        access.check("https://example.com/sheet", week, today=today, timezone="UTC")
    assert "sync" not in not_sheets.value.render("/ctr")  # issue #17.8: no /ctr sync


def test_watched_sheets_are_synced_and_running_totals_snapshotted(
    client: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    google.spreadsheets[KEY] = [
        Worksheet.of(
            "Totals", 0, [["Campaign", "Impressions", "Clicks"], ["A", 1000, 10], ["B", 400, 4]]
        )
    ]
    store.watches.add_watch(
        NewWatch("T1", "C1", KEY, URL, Weekday.MONDAY, time(9), "Europe/Paris", "U1")
    )
    syncer = WatchedSheetsSync(
        store.syncs,
        store.watches,
        store.history,
        GoogleSheetAccess(client, CLIENT_EMAIL),
        store.clock,
    )
    assert syncer.run_once() == 1
    sheet = google.spreadsheets[KEY][0]
    assert sheet.rows[1][3].value == 0.01  # the CTR column is filled in
    assert {(s.campaign, s.cumulative.clicks) for s in store.history.snapshots(KEY)} == {
        ("A", 10),
        ("B", 4),
    }


def test_a_failing_sheet_does_not_stop_the_loop(
    client: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    store.watches.add_watch(
        NewWatch(
            "T1",
            "C1",
            "1GoneSheet_abcdefghijklmno",
            "https://docs.google.com/spreadsheets/d/1GoneSheet_abcdefghijklmno/edit",
            Weekday.MONDAY,
            time(9),
            "UTC",
            "U1",
        )
    )
    syncer = WatchedSheetsSync(
        store.syncs,
        store.watches,
        store.history,
        GoogleSheetAccess(client, CLIENT_EMAIL),
        store.clock,
    )
    assert syncer.run_once() == 0


def test_a_summary_reads_a_sheet_with_a_persons_ctr_formula_beside_the_tools_column(
    client: ResilientHTTPClient, google: FakeGoogle, store: Store
) -> None:
    sheet = Worksheet.of(
        "Daily",
        0,
        [["Date", "Campaign", "Impressions", "Clicks", "CTR"], ["2026-11-10", "A", 1000, 10, 0.01]],
    )
    sheet.rows[1][4] = Cell(0.01, formula="=D2/C2")  # their own CTR, a formula
    google.spreadsheets[KEY] = [sheet]
    access = GoogleSheetAccess(client, CLIENT_EMAIL)
    watch = store.watches.add_watch(
        NewWatch("T1", "C1", KEY, URL, Weekday.MONDAY, time(9), "Europe/Paris", "U1")
    )
    assert (
        WatchedSheetsSync(store.syncs, store.watches, store.history, access, store.clock).run_once()
        == 1
    )
    assert sheet.rows[0][5].value == "CTR"  # the tool's own, beside theirs
    source = SheetReportSource(lambda w: access.open(w.sheet_url), store.history, store.clock)
    rendered = source(watch, date(2026, 11, 9), None)
    assert "1.00%" in rendered.text
