"""The weekly summary's analysis: totals, usual CTRs, changes, rankings, the unusual and
chart history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.baseline import Method
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
    binomial = compare(Counts(110, 51_000), Counts(210, 51_000))
    assert summary.total_change is not None
    # One week of history: the binomial test, as it says.
    assert (summary.total_change.z, summary.total_change.p_value) == (binomial.z, binomial.p_value)
    assert summary.total_change.significant
    assert summary.total_usual is not None
    assert summary.total_usual.usual.method is Method.BINOMIAL
    assert summary.total_usual.usual.counts == Counts(110, 51_000)
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


def test_unusual_for_themselves_most_unusual_first() -> None:
    table = {
        PREV: {"up": Counts(10, 10_000), "noise": Counts(10, 10_000), "down": Counts(80, 10_000)},
        WEEK: {"up": Counts(100, 10_000), "noise": Counts(12, 10_000), "down": Counts(40, 10_000)},
    }
    summary = summarize(table, WEEK)
    assert [c.name for c in summary.unusual] == ["up", "down"]
    assert [c.usual.unusual for c in summary.unusual if c.usual] == ["high", "low"]
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


def test_the_chart_shows_the_best_the_worst_and_the_unusual() -> None:
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
    ]  # "jump" is also unusual: one line, named for its first role
    assert set(summary.history[-1].campaigns) == {"jump", "x"}
    table[WEEK]["jump"] = Counts(30, 10_000)
    table[WEEK]["top"] = Counts(300, 10_000)
    roles = [(line.role, line.name) for line in summarize(table, WEEK).charted]
    assert roles == [(Role.BEST, "top"), (Role.WORST, "x"), (Role.UNUSUAL, "jump")]


def brand_search(weeks: list[tuple[int, int]]) -> dict[date, dict[str, Counts]]:
    """Weeks of one campaign, the last one being WEEK."""
    return {
        WEEK - timedelta(days=7 * (len(weeks) - 1 - k)): {"Brand search": Counts(*w)}
        for k, w in enumerate(weeks)
    }


def test_an_ordinary_week_of_a_variable_campaign_is_not_a_mover() -> None:
    # The example: 6.07 % → 5.54 % is p < 0.001 by the binomial test, yet this
    # campaign's weeks always scatter that much.
    history = [(5_600, 100_000), (6_300, 100_000), (5_750, 100_000), (6_070, 100_000)]
    summary = summarize(brand_search([*history, (5_540, 100_000)]), WEEK)
    (campaign,) = summary.top
    assert compare(Counts(6_070, 100_000), Counts(5_540, 100_000)).p_value < 0.001
    assert campaign.change is not None
    assert not campaign.change.significant
    assert campaign.usual is not None
    assert campaign.usual.usual.method is Method.QUASI
    assert campaign.usual.unusual is None
    assert summary.unusual == ()


def test_a_steady_campaign_that_drops_is_unusually_low() -> None:
    history = [(6_000, 100_000), (6_020, 100_000), (5_990, 100_000), (6_010, 100_000)]
    summary = summarize(brand_search([*history, (5_500, 100_000)]), WEEK)
    (campaign,) = summary.unusual
    assert campaign.usual is not None
    assert campaign.usual.unusual == "low"
    assert summary.total_usual is not None
    assert summary.total_usual.unusual == "low"
