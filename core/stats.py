"""Interval, test and sample-size formulas for proportions, on the standard library only."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

_NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class Interval:
    """A confidence interval for a proportion, as fractions (0.004, not 0.4 %)."""

    low: float
    high: float


@dataclass(frozen=True, slots=True)
class ZTest:
    """Result of a two-sided two-proportion z-test."""

    z: float
    p_value: float


def z_critical(confidence: float) -> float:
    """Two-sided critical value: 1.959963... for 95 %."""
    return _NORMAL.inv_cdf(1 - (1 - confidence) / 2)


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval, which stays inside [0, 1] and behaves at 0 and n successes.

    Written over integer counts rather than the rate so that 10**12 trials lose no precision
    before the square root.

    >>> i = wilson_interval(200, 50000)
    >>> round(i.low, 6), round(i.high, 6)
    (0.003484, 0.004593)
    """
    z = z_critical(confidence)
    z2 = z * z
    failures = trials - successes
    centre = successes + z2 / 2
    spread = z * math.sqrt(successes * failures / trials + z2 / 4)
    denominator = trials + z2
    low = 0.0 if successes == 0 else (centre - spread) / denominator
    high = 1.0 if failures == 0 else (centre + spread) / denominator
    return Interval(low=max(0.0, low), high=min(1.0, high))


def two_proportion_ztest(x1: int, n1: int, x2: int, n2: int) -> ZTest:
    """Pooled two-sided z-test of p1 == p2.

    Computed from the integers: z = (x1·n2 − x2·n1) · sqrt(N / (X·(N−X)·n1·n2)) with X, N the
    pooled counts. The difference is exact (at 10**12 impressions two float rates can agree in
    all their digits while the counts still differ) and Python's int / int is correctly
    rounded. When both samples are all-or-nothing the variance is zero and there is no
    evidence of a difference, so the test reports z = 0, p = 1 rather than dividing by zero.
    """
    pooled_x, pooled_n = x1 + x2, n1 + n2
    spread = pooled_x * (pooled_n - pooled_x)
    if spread == 0:
        return ZTest(z=0.0, p_value=1.0)
    z = (x1 * n2 - x2 * n1) * math.sqrt(pooled_n / (spread * n1 * n2))
    return ZTest(z=z, p_value=2 * _NORMAL.cdf(-abs(z)))


def sample_size_per_group(
    p1: float, p2: float, *, alpha: float = 0.05, power: float = 0.8
) -> float | None:
    """Trials per group for a two-sided test to detect p1 vs p2 with the given power.

    Uses Cohen's arcsine effect size h, as statsmodels' ``NormalIndPower`` with
    ``proportion_effectsize`` does, and solves the power equation including the far tail so
    the figure matches that reference, not just its textbook approximation.
    Returns None when the rates are equal: no sample is large enough.
    """
    h = abs(2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2)))
    if h == 0:
        return None
    z_alpha = _NORMAL.inv_cdf(1 - alpha / 2)
    n = 2 * ((z_alpha + _NORMAL.inv_cdf(power)) / h) ** 2
    for _ in range(50):
        # Newton steps on power(n) = target, where power(n) counts both rejection tails.
        shift = h * math.sqrt(n / 2)
        achieved = _NORMAL.cdf(shift - z_alpha) + _NORMAL.cdf(-shift - z_alpha)
        slope = (_NORMAL.pdf(shift - z_alpha) - _NORMAL.pdf(-shift - z_alpha)) * shift / (2 * n)
        step = (achieved - power) / slope
        n -= step
        if abs(step) <= 1e-13 * n:
            break
    return n
