"""What a weekly summary says: totals, each against its usual CTR, week-over-week change,
leaders, laggards and the campaigns unusual for themselves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from core.baseline import Check, Usual, check, usual_for, week_over_week
from core.ctr import SIGNIFICANCE, Comparison, Counts, CtrResult, compare, measure, total
from core.weekly import WeekTable

DEFAULT_MIN_IMPRESSIONS = 1000


@dataclass(frozen=True, slots=True)
class CampaignWeek:
    """One campaign in the summarised week, against its usual CTR and the week before.

    ``usual`` is this week tested against the campaign's own history (None: it has none).
    ``change.a`` is the previous week, ``change.b`` this week, ``change.lift`` the relative
    change; ``change.z``, ``change.p_value`` and ``change.significant`` use the campaign's own
    dispersion (core.baseline.week_over_week), so significant means more than its usual
    week-to-week variation.
    """

    name: str
    result: CtrResult
    change: Comparison | None
    usual: Check | None = None


class Role(StrEnum):
    """Why a campaign is on the chart."""

    BEST = "best"
    WORST = "worst"
    UNUSUAL = "unusual for itself"


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
    unusual: tuple[CampaignWeek, ...]  # unusual for themselves, the most unusual first
    campaigns: int
    below_threshold: int
    history: tuple[HistoryPoint, ...]  # weeks with data only, oldest first
    charted: tuple[Charted, ...] = ()  # the campaigns in ``history``, besides the total
    total_usual: Check | None = None  # the total against its own usual CTR

    @property
    def week_end(self) -> date:
        return self.week + timedelta(days=6)


def summarize(
    table: WeekTable,
    week: date,
    *,
    min_impressions: int = DEFAULT_MIN_IMPRESSIONS,
    top_n: int = 3,
    unusual_n: int = 5,
    history_weeks: int = 8,
) -> WeeklySummary:
    """Summarise ``week`` (its first day) against each campaign's usual CTR and the week
    before it.

    Only campaigns with at least ``min_impressions`` this week are ranked or called unusual,
    and a week-over-week change is only tested when both weeks reach the threshold: small
    campaigns swing wildly and would crowd out what matters.
    """
    this_week = table.get(week, {})
    last_week = table.get(week - timedelta(days=7), {})
    ranked = [
        _campaign_week(
            name, counts, last_week.get(name), usual_for(table, week, name), min_impressions
        )
        for name, counts in this_week.items()
        if counts.impressions >= min_impressions
    ]
    ranked.sort(key=lambda c: (-c.result.rate, c.name))
    top = tuple(ranked[:top_n])
    bottom = tuple(reversed(ranked[max(top_n, len(ranked) - top_n) :]))
    unusual = sorted(
        (c for c in ranked if c.usual is not None and c.usual.unusual),
        key=lambda c: (_p_value(c), c.name),
    )[:unusual_n]
    charted = _charted(top[:1], bottom[:1] or ranked[-1:], unusual)
    this_total, total_usual = total(this_week.values()), usual_for(table, week, None)
    return WeeklySummary(
        week=week,
        total=_measured(this_total),
        total_change=_change(total(last_week.values()), this_total, 1, total_usual),
        top=top,
        bottom=bottom,
        unusual=tuple(unusual),
        campaigns=len(this_week),
        below_threshold=len(this_week) - len(ranked),
        history=_history(table, week, [c.name for c in charted], history_weeks),
        charted=charted,
        total_usual=check(this_total, total_usual)
        if total_usual is not None and this_total.impressions
        else None,
    )


def _charted(
    best: Sequence[CampaignWeek], worst: Sequence[CampaignWeek], unusual: Sequence[CampaignWeek]
) -> tuple[Charted, ...]:
    """Best, worst, then the unusual; a campaign in two roles is drawn once, for its first."""
    lines: dict[str, Charted] = {}
    for role, campaigns in ((Role.BEST, best), (Role.WORST, worst), (Role.UNUSUAL, unusual)):
        for campaign in campaigns:
            lines.setdefault(campaign.name, Charted(campaign.name, role))
    return tuple(lines.values())


def _campaign_week(
    name: str, counts: Counts, previous: Counts | None, usual: Usual | None, min_impressions: int
) -> CampaignWeek:
    change = None if previous is None else _change(previous, counts, min_impressions, usual)
    return CampaignWeek(
        name=name,
        result=measure(counts),
        change=change,
        usual=None if usual is None else check(counts, usual),
    )


def _change(
    previous: Counts, current: Counts, min_impressions: int, usual: Usual | None
) -> Comparison | None:
    """The week-over-week comparison, its significance judged with the campaign's own φ."""
    if min(previous.impressions, current.impressions) < max(1, min_impressions):
        return None
    binomial = compare(previous, current)
    z, p = week_over_week(previous, current, usual)
    # The sample-size advice belongs to A/B tests of two ads, not to weeks of one campaign.
    return replace(
        binomial,
        z=z,
        p_value=p,
        significant=p < SIGNIFICANCE,
        needed_per_variant=None,
        more_needed_per_variant=None,
    )


def _p_value(campaign: CampaignWeek) -> float:
    assert campaign.usual is not None  # the unusual are filtered on having a usual
    return campaign.usual.p_value


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
