"""A campaign's usual CTR: its trailing baseline, and tests of a week against its own history.

A campaign's CTR moves from week to week by more than binomial noise (audiences, placements
and days differ), so a binomial test calls ordinary weeks significant. The usual CTR is the
pooled rate of the campaign's previous weeks with data (Σclicks ÷ Σimpressions), and their
scatter around it gives the campaign's own overdispersion φ, estimated quasi-binomially:
Pearson χ² / (k − 1), floored at 1 (a campaign is never *less* variable than binomial).

Under the quasi-binomial model Var(clicks) = φ·n·p·(1 − p), so a week of n impressions
against a pooled baseline of N has Var(p̂_week − p̂_usual) = φ·p·(1 − p)·(1/n + 1/N), which is
today's pooled two-proportion z divided by √φ. Because φ itself is estimated from k weeks, the
statistic is referred to Student's t with k − 1 degrees of freedom, not the normal: with 8
weeks the normal would call about 9 % of ordinary weeks unusual instead of 5 %
(bench/bench_baseline.py measures it). With fewer than ``MIN_WEEKS`` weeks there is too little
scatter to estimate φ: the test falls back to the binomial one and says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from core.ctr import SIGNIFICANCE, Counts, total
from core.stats import (
    Interval,
    normal_two_sided,
    t_critical,
    t_two_sided,
    two_proportion_ztest,
    z_critical,
)
from core.weekly import WeekTable

BASELINE_WEEKS = 8  # the trailing window: about two months of a campaign's own history
MIN_WEEKS = 4  # fewer weeks can't say how much a campaign varies (φ on 2 degrees of freedom)
DISPERSION_WEEKS = 26  # half a year says how much a campaign varies (see pearson_dispersion)


class Method(StrEnum):
    """How a week is tested against its campaign's usual CTR."""

    QUASI = "quasi-binomial"  # the campaign's own week-to-week variation, t on k − 1 df
    BINOMIAL = "binomial"  # fewer than MIN_WEEKS weeks of history: binomial noise only


@dataclass(frozen=True, slots=True)
class Usual:
    """A campaign's usual CTR: its previous weeks pooled, and how much it varies.

    ``dispersion`` is φ (1.0 for the binomial fallback), ``weeks`` the k weeks pooled.
    """

    counts: Counts
    weeks: int
    dispersion: float
    df: int | None  # of the t reference; None: the normal (the binomial fallback)
    method: Method

    @property
    def rate(self) -> float:
        return self.counts.clicks / self.counts.impressions


@dataclass(frozen=True, slots=True)
class Check:
    """This week against the usual CTR: the statistic, its p-value and the usual range.

    ``band`` is the range of CTRs that would *not* be unusual at this week's volume: a rate
    outside it is exactly a p-value below 0.05.
    """

    usual: Usual
    week: Counts
    statistic: float
    p_value: float
    band: Interval

    @property
    def rate(self) -> float:
        return self.week.clicks / self.week.impressions

    @property
    def unusual(self) -> Literal["high", "low"] | None:
        if self.p_value >= SIGNIFICANCE:
            return None
        return "high" if self.statistic > 0 else "low"


def pearson_chi2(weeks: Sequence[Counts]) -> Fraction:
    """Pearson's χ² of the weeks around their own pooled rate, exactly.

    Each term is (x_i·N − n_i·X)² / (n_i·X·(N − X)) in integers, so no digit is lost to the
    difference of two nearly equal rates. At a pooled rate of 0 or 1 every week sits exactly
    on it (x_i·N = n_i·X): no variation was seen, χ² is 0.
    """
    pooled = total(weeks)
    clicks, impressions = pooled.clicks, pooled.impressions
    spread = clicks * (impressions - clicks)
    if spread == 0:
        return Fraction(0)
    chi2 = sum(
        (
            Fraction((w.clicks * impressions - w.impressions * clicks) ** 2, w.impressions)
            for w in weeks
        ),
        Fraction(0),
    )
    return chi2 / spread


def pearson_dispersion(weeks: Sequence[Counts], block: int = BASELINE_WEEKS) -> tuple[float, int]:
    """(Pearson χ² / degrees of freedom, degrees of freedom), unfloored, with the weeks
    (newest first) taken in blocks of ``block`` weeks, each around its own pooled rate.

    Blocks let half a year of history say how much a campaign varies without a slow trend
    counting as week-to-week noise: the same as a binomial GLM with one intercept per block
    and Pearson's scale. (nan, 0) for a single week.

    >>> pearson_dispersion([Counts(100, 10_000), Counts(140, 10_000), Counts(120, 10_000)])
    (3.3738191632928474, 2)
    """
    chi2, df = Fraction(0), 0
    for start in range(0, len(weeks), block):
        part = weeks[start : start + block]
        chi2 += pearson_chi2(part)
        df += len(part) - 1
    return (float(chi2 / df), df) if df else (math.nan, 0)


def usual_ctr(
    history: Iterable[Counts],
    *,
    baseline_weeks: int = BASELINE_WEEKS,
    dispersion_weeks: int = DISPERSION_WEEKS,
) -> Usual | None:
    """The usual CTR of a campaign from its previous weeks, newest first (weeks without
    impressions are skipped); None when it has none.

    The rate pools the newest ``baseline_weeks``; the dispersion uses up to
    ``dispersion_weeks`` in blocks of ``baseline_weeks``. Within a block, the order of the
    weeks does not matter.
    """
    weeks = [week for week in history if week.impressions][:dispersion_weeks]
    if not weeks:
        return None
    recent = weeks[:baseline_weeks]
    pooled = total(recent)
    if len(weeks) < MIN_WEEKS:
        return Usual(pooled, len(recent), dispersion=1.0, df=None, method=Method.BINOMIAL)
    raw, df = pearson_dispersion(weeks, baseline_weeks)
    return Usual(pooled, len(recent), dispersion=max(1.0, raw), df=df, method=Method.QUASI)


def trailing_weeks(
    table: WeekTable, week: date, campaign: str | None, weeks: int = BASELINE_WEEKS
) -> list[Counts]:
    """The previous ``weeks`` weeks before ``week`` in which ``campaign`` (None: the total)
    had impressions, newest first."""
    found: list[Counts] = []
    for start in sorted((w for w in table if w < week), reverse=True):
        rows = table[start]
        counts = total(rows.values()) if campaign is None else rows.get(campaign)
        if counts is not None and counts.impressions:
            found.append(counts)
            if len(found) == weeks:
                break
    return found


def check(week: Counts, usual: Usual) -> Check:
    """Is ``week`` unusual for its campaign? Pooled z over √φ, referred to t on k − 1 df."""
    test = two_proportion_ztest(
        week.clicks, week.impressions, usual.counts.clicks, usual.counts.impressions
    )
    statistic = test.z / math.sqrt(usual.dispersion)
    return Check(
        usual=usual,
        week=week,
        statistic=statistic,
        p_value=p_value(statistic, usual),
        band=usual_band(week.impressions, usual),
    )


def p_value(statistic: float, usual: Usual) -> float:
    """The two-sided p-value of a dispersion-scaled statistic, on the usual's reference."""
    df = usual.df
    return normal_two_sided(statistic) if df is None else t_two_sided(statistic, df)


def week_over_week(previous: Counts, current: Counts, usual: Usual | None) -> tuple[float, float]:
    """(statistic, p-value) of this week against the last, with the campaign's own φ.

    Without a usual CTR (no history) this is the binomial pooled z-test of today.
    """
    test = two_proportion_ztest(
        current.clicks, current.impressions, previous.clicks, previous.impressions
    )
    if usual is None:
        return test.z, test.p_value
    statistic = test.z / math.sqrt(usual.dispersion)
    return statistic, p_value(statistic, usual)


def critical_value(usual: Usual, confidence: float = 0.95) -> float:
    df = usual.df
    return z_critical(confidence) if df is None else t_critical(df, confidence)


def usual_band(impressions: int, usual: Usual, confidence: float = 0.95) -> Interval:
    """The CTRs a week of ``impressions`` can have without being unusual.

    The test's variance uses the rate pooled over the week and the baseline, so the band's
    edges solve (r − p)² = K·p̄(1 − p̄) for r, with p̄ = p + w·(r − p), w = n / (n + N) and
    K = c²·φ·(1/n + 1/N): a quadratic in d = r − p. Inside the band ⇔ p ≥ 1 − confidence.
    """
    base = usual.counts
    p = Fraction(base.clicks, base.impressions)
    w = Fraction(impressions, impressions + base.impressions)
    k = (
        critical_value(usual, confidence) ** 2
        * usual.dispersion
        * float(Fraction(1, impressions) + Fraction(1, base.impressions))
    )
    pf, wf = float(p), float(w)
    a = 1 + k * wf * wf
    b = -k * wf * (1 - 2 * pf)
    c = -k * pf * (1 - pf)
    root = math.sqrt(max(0.0, b * b - 4 * a * c))
    low, high = (-b - root) / (2 * a), (-b + root) / (2 * a)
    return Interval(low=max(0.0, pf + low), high=min(1.0, pf + high))


def usual_for(table: WeekTable, week: date, campaign: str | None) -> Usual | None:
    """The usual CTR of ``campaign`` (None: the total) as of ``week``."""
    return usual_ctr(trailing_weeks(table, week, campaign, DISPERSION_WEEKS))


def weeks_back(week: date, count: int) -> list[date]:
    """The ``count`` week starts ending with ``week``, oldest first."""
    return [week - timedelta(days=7 * back) for back in range(count - 1, -1, -1)]
