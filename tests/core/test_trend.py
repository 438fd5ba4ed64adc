"""`/ctr trend`'s weeks: only weeks with data, each against the usual it had then."""

from __future__ import annotations

from datetime import date, timedelta

from core.baseline import check, usual_for
from core.ctr import Counts
from core.trend import find_campaign, trend

LAST = date(2026, 11, 16)


def test_trend_covers_26_weeks_with_data_each_against_its_own_past() -> None:
    table = {
        LAST - timedelta(days=7 * back): {"A": Counts(100 + back, 10_000)} for back in range(40)
    }
    del table[LAST - timedelta(days=14)]  # a week without data is left out
    points = trend(table, "A", LAST)
    assert len(points) == 25
    assert points[0].week == LAST - timedelta(days=7 * 25)
    assert points[-1].week == LAST
    for point in points:
        usual = usual_for(table, point.week, "A")
        assert usual is not None
        assert point.check == check(point.counts, usual)


def test_the_first_week_has_no_usual_and_names_match_loosely() -> None:
    table = {LAST: {"Brand search": Counts(5, 100)}}
    (point,) = trend(table, "Brand search", LAST)
    assert point.check is None
    assert find_campaign(table, " brand   Search ") == "Brand search"
    assert find_campaign(table, "Brand") is None
