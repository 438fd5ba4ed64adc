"""Weeks from dated rows and from running-total snapshots."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.ctr import Counts, total
from core.errors import InputError
from core.weekly import (
    DatedRow,
    Reset,
    Snapshot,
    parse_day,
    week_start,
    weeks_from_rows,
    weeks_from_snapshots,
)

MON = date(2026, 11, 16)


def test_week_start_for_each_day_and_first_weekday() -> None:
    assert [week_start(MON + timedelta(days=d)) for d in range(7)] == [MON] * 7
    assert week_start(MON + timedelta(days=7)) == MON + timedelta(days=7)
    sunday = date(2026, 11, 22)
    assert week_start(sunday, first_weekday=6) == sunday
    assert week_start(MON, first_weekday=6) == date(2026, 11, 15)


def test_rows_sum_into_weeks_per_campaign() -> None:
    rows = [
        DatedRow(MON, "Search", Counts(10, 1000)),
        DatedRow(MON + timedelta(days=6), "Search", Counts(5, 500)),
        DatedRow(MON + timedelta(days=7), "Search", Counts(1, 100)),
        DatedRow(MON + timedelta(days=2), "Social", Counts(3, 300)),
    ]
    table = weeks_from_rows(rows)
    assert table == {
        MON: {"Search": Counts(15, 1500), "Social": Counts(3, 300)},
        MON + timedelta(days=7): {"Search": Counts(1, 100)},
    }


@given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 10**6), st.integers(0, 10**6))))
def test_weekly_sums_preserve_the_grand_total(raw: list[tuple[int, int, int]]) -> None:
    rows = [
        DatedRow(MON + timedelta(days=day), f"c{day % 3}", Counts(min(a, b), max(a, b)))
        for day, a, b in raw
    ]
    table = weeks_from_rows(rows)
    weekly = [counts for week in table.values() for counts in week.values()]
    assert total(weekly) == total(row.counts for row in rows)


def test_snapshots_difference_into_weeks() -> None:
    w1, w2, w3 = MON, MON + timedelta(days=7), MON + timedelta(days=14)
    snaps = [
        Snapshot(w1, "Search", Counts(10, 1000)),
        Snapshot(w2, "Search", Counts(15, 1400)),
        Snapshot(w2, "Search", Counts(25, 2000)),  # a later sync in the same week wins
        Snapshot(w3, "Search", Counts(40, 3000)),
    ]
    table, resets = weeks_from_snapshots(snaps)
    assert table == {w2: {"Search": Counts(15, 1000)}, w3: {"Search": Counts(15, 1000)}}
    assert resets == []


def test_totals_that_go_down_are_reported_not_counted() -> None:
    w1, w2 = MON, MON + timedelta(days=7)
    snaps = [Snapshot(w1, "Video", Counts(50, 5000)), Snapshot(w2, "Video", Counts(5, 100))]
    table, resets = weeks_from_snapshots(snaps)
    assert table == {}
    assert resets == [Reset(w2, "Video", Counts(50, 5000), Counts(5, 100))]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-16", date(2026, 11, 16)),
        ("2026/11/16", date(2026, 11, 16)),
        (" 2026-1-5 ", date(2026, 1, 5)),
        ("2026-11-16T09:30:00", date(2026, 11, 16)),
        (46342, date(2026, 11, 16)),
        (46342.75, date(2026, 11, 16)),  # a date-time serial: the time is dropped
        (1, date(1899, 12, 31)),
    ],
)
def test_parse_day(value: str | int | float, expected: date) -> None:
    assert parse_day(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("03/04/2026", "YYYY-MM-DD"),
        ("yesterday", "YYYY-MM-DD"),
        ("2026-02-30", "does not exist"),
        (0, "not a spreadsheet date"),
        (-5, "not a spreadsheet date"),
        (10**9, "not a spreadsheet date"),
        (True, "not True"),
    ],
)
def test_parse_day_rejects(value: str | int | float, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        parse_day(value)
