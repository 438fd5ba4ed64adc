"""The weekly summary's analysis: totals, changes, rankings, movers and chart history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.ctr import Counts, compare
from core.summary import Role, summarize

WEEK = date(2026, 11, 16)
PREV = WEEK - timedelta(days=7)


def test_totals_are_sums_not_means_and_change_is_tested() -> None:
    table = {
        PREV: {"A": Counts(100, 50_000), "B": Counts(10, 1_000)},
        WEEK: {"A": Counts(200, 50_000), "B": Counts(10, 1_000)},
    }
    summary = summarize(table, WEEK)
    assert summary.total is not None
    assert summary.total.counts == Counts(210, 51_000)
    assert summary.total_change == compare(Counts(110, 51_000), Counts(210, 51_000))
    assert summary.total_change is not None
    assert summary.total_change.significant
    assert summary.week_end == date(2026, 11, 22)


def test_ranking_respects_the_impressions_threshold() -> None:
    table = {
        WEEK: {
            "tiny": Counts(9, 10),
            "best": Counts(50, 1_000),
            "mid": Counts(20, 1_000),
            "worst": Counts(1, 1_000),
        }
    }
    summary = summarize(table, WEEK, top_n=1)
    assert [c.name for c in summary.top] == ["best"]
    assert [c.name for c in summary.bottom] == ["worst"]
    assert (summary.campaigns, summary.below_threshold) == (4, 1)


def test_top_and_bottom_never_overlap() -> None:
    table = {WEEK: {name: Counts(i, 1_000) for i, name in enumerate("abcd")}}
    summary = summarize(table, WEEK, top_n=3)
    assert [c.name for c in summary.top] == ["d", "c", "b"]
    assert [c.name for c in summary.bottom] == ["a"]


def test_movers_are_significant_changes_biggest_first() -> None:
    table = {
        PREV: {"up": Counts(10, 10_000), "noise": Counts(10, 10_000), "down": Counts(80, 10_000)},
        WEEK: {"up": Counts(100, 10_000), "noise": Counts(12, 10_000), "down": Counts(40, 10_000)},
    }
    summary = summarize(table, WEEK)
    assert [c.name for c in summary.movers] == ["up", "down"]
    noise = next(c for c in summary.top + summary.bottom if c.name == "noise")
    assert noise.change is not None
    assert not noise.change.significant


def test_new_campaign_has_no_change() -> None:
    summary = summarize({WEEK: {"new": Counts(5, 2_000)}}, WEEK)
    assert summary.top[0].change is None
    assert summary.total_change is None


def test_empty_week() -> None:
    summary = summarize({PREV: {"A": Counts(1, 10)}}, WEEK)
    assert summary.total is None
    assert summary.top == ()
    assert summary.campaigns == 0


@pytest.mark.parametrize("weeks", [1, 8])
def test_history_covers_the_last_weeks_oldest_first(weeks: int) -> None:
    table = {WEEK - timedelta(days=7 * k): {"A": Counts(k + 1, 1_000)} for k in range(10)}
    summary = summarize(table, WEEK, history_weeks=weeks)
    assert [p.week for p in summary.history] == [
        WEEK - timedelta(days=7 * k) for k in range(weeks - 1, -1, -1)
    ]
    last = summary.history[-1]
    assert last.total is not None
    assert last.total.counts == Counts(1, 1_000)
    assert set(last.campaigns) == {"A"}


def test_history_covers_only_weeks_with_data() -> None:
    weeks = [WEEK - timedelta(days=7 * k) for k in (0, 1, 3)]  # 4 weeks ago: nothing
    summary = summarize({w: {"A": Counts(5, 1_000)} for w in weeks}, WEEK)
    assert [p.week for p in summary.history] == sorted(weeks)


def test_the_chart_shows_the_best_the_worst_and_the_significant_movers() -> None:
    table = {
        PREV: {"steady": Counts(20, 10_000), "jump": Counts(10, 10_000), "x": Counts(1, 10_000)},
        WEEK: {
            "steady": Counts(21, 10_000),
            "jump": Counts(100, 10_000),
            "x": Counts(2, 10_000),
            "mid": Counts(15, 10_000),
        },
    }
    summary = summarize(table, WEEK)
    assert [(line.role, line.name) for line in summary.charted] == [
        (Role.BEST, "jump"),
        (Role.WORST, "x"),
    ]  # "jump" is also the mover: one line, named for its first role
    assert set(summary.history[-1].campaigns) == {"jump", "x"}
    table[WEEK]["jump"] = Counts(30, 10_000)
    table[WEEK]["top"] = Counts(300, 10_000)
    roles = [(line.role, line.name) for line in summarize(table, WEEK).charted]
    assert roles == [(Role.BEST, "top"), (Role.WORST, "x"), (Role.MOVER, "jump")]
