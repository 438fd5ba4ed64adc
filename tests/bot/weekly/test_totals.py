"""Totals kept at sync time give the summary the sheet would give (bot/weekly/totals.py).

The rule: a summary's numbers are a pure function of the stored totals, and the totals are
computed by the sync from the grid it wrote the sheet's columns from. So for any sheet, any
sync day and any later summary day, summarising from the stored (encoded, decoded) totals
equals summarising from the sheet itself.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.weekly.report import FlaggedRow
from bot.weekly.source import gather, inputs_from
from bot.weekly.totals import SheetTotals, decode, encode, totals_of
from core.summary import summarize
from core.weekly import week_start
from sheets.headers import Cell, find_layout

SYNCED = date(2026, 11, 20)  # a Friday

days = st.integers(-60, 12).map(lambda n: SYNCED + timedelta(days=n))
date_cells: st.SearchStrategy[Cell] = st.one_of(
    days.map(date.isoformat),
    days.map(lambda d: d.toordinal() - date(1899, 12, 30).toordinal()),  # a serial
    st.sampled_from(["1999-05-01", "16/11/2026", "soon", "", None]),
)
campaigns: st.SearchStrategy[Cell] = st.sampled_from(["Search", "Video", "Social", "", None])


@st.composite
def rows(draw: st.DrawFn, dated: bool) -> list[Cell]:
    impressions = draw(st.integers(0, 3000))
    clicks: Cell = draw(st.integers(0, impressions + 3))
    shown: Cell = draw(st.one_of(st.just(impressions), st.sampled_from(["1,000", "x", None])))
    row: list[Cell] = [draw(campaigns), shown, clicks]
    return [draw(date_cells), *row] if dated else row


@st.composite
def sheets(draw: st.DrawFn) -> list[list[Cell]]:
    dated = draw(st.booleans())
    header: list[Cell] = ["Campaign", "Impressions", "Clicks"]
    if dated:
        header = [draw(st.sampled_from(["Date", "Week of"])), *header]
    return [header, *draw(st.lists(rows(dated), max_size=25))]


@settings(max_examples=150, deadline=None)
@given(grid=sheets(), later=st.integers(0, 20))
def test_a_summary_from_stored_totals_is_the_summary_from_the_sheet(
    grid: list[list[Cell]], later: int
) -> None:
    layout = find_layout(grid)
    today = SYNCED + timedelta(days=later)
    kept = decode(encode(totals_of(grid, layout, SYNCED, title="Plan")))
    assert kept == totals_of(grid, layout, SYNCED, title="Plan")
    from_totals = inputs_from(kept, today, snapshots=[])
    from_sheet = gather(grid, layout, today=today, snapshots=[])
    assert from_totals == from_sheet
    for week in {week_start(today) - timedelta(days=7), *from_sheet.table}:
        assert summarize(from_totals.table, week, min_impressions=10) == summarize(
            from_sheet.table, week, min_impressions=10
        )


def test_a_row_dated_after_the_sync_counts_once_its_day_has_come() -> None:
    grid: list[list[Cell]] = [
        ["Date", "Campaign", "Impressions", "Clicks"],
        ["2026-11-16", "Search", 1000, 10],
        ["2026-11-23", "Search", 1000, 30],  # after the sync's day: a typo then, a day later
        ["1999-11-23", "Search", 1000, 30],  # a typo on every day
    ]
    kept = totals_of(grid, find_layout(grid), SYNCED, title="Plan")
    before = inputs_from(kept, SYNCED, snapshots=None)
    assert [flag.row for flag in before.flagged] == [3, 4]
    assert "after today (2026-11-20)" in before.flagged[0].reason
    after = inputs_from(kept, date(2026, 11, 23), snapshots=None)
    assert [flag.row for flag in after.flagged] == [4]
    assert after.table[date(2026, 11, 23)]["Search"].clicks == 30
    assert not kept.usable_on(SYNCED - timedelta(days=1))  # a summary may not look back


def test_totals_keep_text_as_typed() -> None:
    kept = SheetTotals(
        SYNCED, True, "Plan «Q4» <!here>", flagged=(FlaggedRow(2, 'Clicks "x" isn\'t a number'),)
    )
    assert decode(encode(kept)) == kept
