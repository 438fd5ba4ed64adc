"""What a weekly summary says: totals, week-over-week change, leaders, laggards and movers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from core.ctr import Comparison, Counts, CtrResult, compare, measure, total
from core.weekly import WeekTable

DEFAULT_MIN_IMPRESSIONS = 1000


@dataclass(frozen=True, slots=True)
class CampaignWeek:
    """One campaign in the summarised week, with its change since the week before if known.

    ``change.a`` is the previous week, ``change.b`` this week, ``change.lift`` the relative
    change and ``change.significant`` whether it is more than noise.
    """

    name: str
    result: CtrResult
    change: Comparison | None


class Role(StrEnum):
    """Why a campaign is on the chart."""

    BEST = "best"
    WORST = "worst"
    MOVER = "significant mover"


@dataclass(frozen=True, slots=True)
class Charted:
    """A campaign drawn on the chart, and why."""

    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """One week of the chart: the total and the highlighted campaigns (None: no traffic)."""

    week: date
    total: CtrResult | None
    campaigns: Mapping[str, CtrResult | None]


@dataclass(frozen=True, slots=True)
class WeeklySummary:
    """Everything a summary message shows, computed; rendering is the front end's job."""

    week: date
    total: CtrResult | None
    total_change: Comparison | None
    top: tuple[CampaignWeek, ...]
    bottom: tuple[CampaignWeek, ...]
    movers: tuple[CampaignWeek, ...]
    campaigns: int
    below_threshold: int
    history: tuple[HistoryPoint, ...]  # weeks with data only, oldest first
    charted: tuple[Charted, ...] = ()  # the campaigns in ``history``, besides the total

    @property
    def week_end(self) -> date:
        return self.week + timedelta(days=6)


def summarize(
    table: WeekTable,
    week: date,
    *,
    min_impressions: int = DEFAULT_MIN_IMPRESSIONS,
    top_n: int = 3,
    movers_n: int = 5,
    history_weeks: int = 8,
) -> WeeklySummary:
    """Summarise ``week`` (its first day) against the week before it.

    Only campaigns with at least ``min_impressions`` this week are ranked, and a change is
    only a "mover" when it is significant and both weeks reach the threshold: small
    campaigns swing wildly and would crowd out what matters.
    """
    this_week = table.get(week, {})
    last_week = table.get(week - timedelta(days=7), {})
    ranked = [
        _campaign_week(name, counts, last_week.get(name), min_impressions)
        for name, counts in this_week.items()
        if counts.impressions >= min_impressions
    ]
    ranked.sort(key=lambda c: (-c.result.rate, c.name))
    top = tuple(ranked[:top_n])
    bottom = tuple(reversed(ranked[max(top_n, len(ranked) - top_n) :]))
    movers = sorted(
        (c for c in ranked if c.change is not None and c.change.significant),
        key=lambda c: (-abs(c.result.rate - _previous_rate(c)), c.name),
    )
    movers = movers[:movers_n]
    charted = _charted(top[:1], bottom[:1] or ranked[-1:], movers)
    return WeeklySummary(
        week=week,
        total=_measured(total(this_week.values())),
        total_change=_change(total(last_week.values()), total(this_week.values()), 1),
        top=top,
        bottom=bottom,
        movers=tuple(movers),
        campaigns=len(this_week),
        below_threshold=len(this_week) - len(ranked),
        history=_history(table, week, [c.name for c in charted], history_weeks),
        charted=charted,
    )


def _charted(
    best: Sequence[CampaignWeek], worst: Sequence[CampaignWeek], movers: Sequence[CampaignWeek]
) -> tuple[Charted, ...]:
    """Best, worst, then movers; a campaign in two roles is drawn once, for its first."""
    lines: dict[str, Charted] = {}
    for role, campaigns in ((Role.BEST, best), (Role.WORST, worst), (Role.MOVER, movers)):
        for campaign in campaigns:
            lines.setdefault(campaign.name, Charted(campaign.name, role))
    return tuple(lines.values())


def _campaign_week(
    name: str, counts: Counts, previous: Counts | None, min_impressions: int
) -> CampaignWeek:
    change = None if previous is None else _change(previous, counts, min_impressions)
    return CampaignWeek(name=name, result=measure(counts), change=change)


def _change(previous: Counts, current: Counts, min_impressions: int) -> Comparison | None:
    if min(previous.impressions, current.impressions) < max(1, min_impressions):
        return None
    return compare(previous, current)


def _previous_rate(campaign: CampaignWeek) -> float:
    assert campaign.change is not None  # movers are filtered on having a change
    return campaign.change.a.rate


def _measured(counts: Counts) -> CtrResult | None:
    return measure(counts) if counts.impressions else None


def _history(
    table: WeekTable, week: date, names: list[str], weeks: int
) -> tuple[HistoryPoint, ...]:
    points = []
    for back in range(weeks - 1, -1, -1):
        start = week - timedelta(days=7 * back)
        rows = table.get(start, {})
        if not rows:  # a chart of empty weeks says nothing: leave them out
            continue
        campaigns = {name: _measured(rows[name]) if name in rows else None for name in names}
        points.append(
            HistoryPoint(week=start, total=_measured(total(rows.values())), campaigns=campaigns)
        )
    return tuple(points)
