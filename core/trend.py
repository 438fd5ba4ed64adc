"""A campaign's weekly CTRs with the usual range each week had: what `/ctr trend` draws."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core.baseline import Check, check, usual_for, weeks_back
from core.ctr import Counts
from core.history_commands import same_campaign
from core.weekly import WeekTable

TREND_WEEKS = 26


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One week with data: its counts and, when it had history, the test against its usual."""

    week: date
    counts: Counts
    check: Check | None

    @property
    def rate(self) -> float:
        return self.counts.clicks / self.counts.impressions


def find_campaign(table: WeekTable, typed: str) -> str | None:
    """The campaign's name as the sheet writes it, matched ignoring case and spaces.

    >>> find_campaign({date(2026, 11, 16): {"Brand search": Counts(1, 10)}}, "brand  SEARCH")
    'Brand search'
    """
    names = sorted({name for rows in table.values() for name in rows})
    return next((name for name in names if same_campaign(typed, name)), None)


def trend(
    table: WeekTable, campaign: str, last: date, weeks: int = TREND_WEEKS
) -> list[TrendPoint]:
    """The ``weeks`` weeks ending with ``last`` in which ``campaign`` had impressions, oldest
    first, each tested against the usual CTR it had then (its own trailing weeks)."""
    points = []
    for week in weeks_back(last, weeks):
        counts = table.get(week, {}).get(campaign)
        if counts is None or not counts.impressions:
            continue
        usual = usual_for(table, week, campaign)
        points.append(TrendPoint(week, counts, None if usual is None else check(counts, usual)))
    return points


def last_complete_week(this_week: date) -> date:
    return this_week - timedelta(days=7)
