"""CTR values: counts, their rate and interval, comparisons of two ads, totals."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from core import reasons
from core.errors import InputError
from core.stats import sample_size_per_group, two_proportion_ztest, wilson_interval

SIGNIFICANCE = 0.05
CONFIDENCE = 0.95
POWER = 0.8


@dataclass(frozen=True, slots=True)
class Counts:
    """Clicks out of impressions; valid by construction (whole, non-negative, clicks ≤ impr.)."""

    clicks: int
    impressions: int

    def __post_init__(self) -> None:
        clicks, impressions = self.clicks, self.impressions
        # Hot path (a sync builds one per row): exact int types, so bools fall to _explain.
        if type(clicks) is int and type(impressions) is int and 0 <= clicks <= impressions:
            return
        self._explain_invalid()

    def _explain_invalid(self) -> None:
        for name in ("clicks", "impressions"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputError(reasons.NOT_WHOLE(what=name, value=value))
            if value < 0:
                raise InputError(reasons.NEGATIVE(what=name, value=value))
        if self.impressions == 0:
            raise InputError(reasons.UNDEFINED())
        raise InputError(
            reasons.CLICKS_EXCEED(clicks=self.clicks, impressions=self.impressions),
            suggestion=f"{self.impressions} {self.clicks}",
        )

    @property
    def rate(self) -> Fraction:
        """The exact CTR; undefined (an InputError) with no impressions."""
        if self.impressions == 0:
            raise InputError(reasons.UNDEFINED())
        return Fraction(self.clicks, self.impressions)


@dataclass(frozen=True, slots=True)
class CtrResult:
    """A CTR with its 95 % Wilson interval, all as fractions (0.004 means 0.4 %)."""

    counts: Counts
    rate: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two ads compared with a pooled two-proportion z-test."""

    a: CtrResult
    b: CtrResult
    lift: float | None
    z: float
    p_value: float
    significant: bool
    leader: Literal["a", "b"] | None
    needed_per_variant: int | None
    more_needed_per_variant: int | None


def total(rows: Iterable[Counts]) -> Counts:
    """Σclicks / Σimpressions: the CTR of the whole, never the mean of the rows' CTRs."""
    clicks = impressions = 0
    for row in rows:
        clicks += row.clicks
        impressions += row.impressions
    return Counts(clicks=clicks, impressions=impressions)


def measure(counts: Counts) -> CtrResult:
    """The CTR of ``counts`` with its 95 % interval."""
    if counts.impressions == 0:
        counts.rate  # noqa: B018 - raises the InputError that says the CTR is undefined
    interval = wilson_interval(counts.clicks, counts.impressions, CONFIDENCE)
    rate = counts.clicks / counts.impressions  # int / int: correctly rounded, like float(Fraction)
    return CtrResult(counts=counts, rate=rate, ci_low=interval.low, ci_high=interval.high)


def compare(a: Counts, b: Counts) -> Comparison:
    """Is B's CTR different from A's, by how much, and how much more data would tell?"""
    result_a, result_b = measure(a), measure(b)
    test = two_proportion_ztest(b.clicks, b.impressions, a.clicks, a.impressions)
    significant = test.p_value < SIGNIFICANCE
    # Cross-multiplied integers: exact, and much cheaper than Fraction objects.
    ahead = b.clicks * a.impressions - a.clicks * b.impressions
    leader: Literal["a", "b"] | None = None
    if ahead:
        leader = "b" if ahead > 0 else "a"
    needed = _needed_per_variant(result_a.rate, result_b.rate)
    more = None
    if not significant and needed is not None:
        more = max(0, needed - min(a.impressions, b.impressions))
    return Comparison(
        a=result_a,
        b=result_b,
        lift=ahead / (b.impressions * a.clicks) if a.clicks else None,
        z=test.z,
        p_value=test.p_value,
        significant=significant,
        leader=leader,
        needed_per_variant=needed,
        more_needed_per_variant=more,
    )


def _needed_per_variant(rate_a: float, rate_b: float) -> int | None:
    n = sample_size_per_group(rate_a, rate_b, alpha=SIGNIFICANCE, power=POWER)
    return None if n is None else math.ceil(n)
