"""Interval, test and sample-size formulas for proportions, on the standard library only."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

_NORMAL = NormalDist()
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


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
    return _quantile(1 - (1 - confidence) / 2)


@lru_cache(maxsize=64)  # a few confidences and powers, asked for on every /ctr answer
def _quantile(p: float) -> float:
    return _NORMAL.inv_cdf(p)


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
    z_alpha = _quantile(1 - alpha / 2)
    n = 2 * ((z_alpha + _quantile(power)) / h) ** 2
    for _ in range(50):
        # Newton steps on power(n) = target, where power(n) counts both rejection tails
        # (the normal's cdf and pdf written out: this runs on every /ctr comparison).
        shift = h * math.sqrt(n / 2)
        near, far = shift - z_alpha, -shift - z_alpha
        achieved = 0.5 * (math.erfc(-near * _SQRT_HALF) + math.erfc(-far * _SQRT_HALF))
        slope = (math.exp(-near * near / 2) - math.exp(-far * far / 2)) * _INV_SQRT_2PI
        slope *= shift / (2 * n)
        step = (achieved - power) / slope
        n -= step
        if abs(step) <= 1e-13 * n:
            break
    return n


def normal_two_sided(z: float) -> float:
    """Two-sided p-value of a standard normal statistic."""
    return 2 * _NORMAL.cdf(-abs(z))


def t_two_sided(t: float, df: float) -> float:
    """Two-sided p-value of Student's t with ``df`` degrees of freedom, P(|T| ≥ |t|).

    It is the regularized incomplete beta I_x(df/2, 1/2) at x = df / (df + t²), computed
    from the side whose continued fraction converges, so a far tail keeps its relative
    precision instead of being 1 minus something close to 1.

    >>> round(t_two_sided(2.364624251592785, 7), 12)  # t_7's 97.5 % point
    0.05
    """
    if not df > 0:
        raise ValueError(f"degrees of freedom must be positive, not {df!r}")
    if math.isinf(t):
        return 0.0
    t2 = t * t
    x, one_minus_x = df / (df + t2), t2 / (df + t2)
    a, b = df / 2, 0.5
    if x < (a + 1) / (a + b + 2):
        return _beta_tail(x, one_minus_x, a, b)
    return 1.0 - _beta_tail(one_minus_x, x, b, a)


@lru_cache(maxsize=64)  # a handful of (df, confidence) pairs: 3 to 7 weeks of freedom
def t_critical(df: float, confidence: float = 0.95) -> float:
    """The two-sided critical value of Student's t: 2.364624... for 7 degrees of freedom.

    Bisection on ``t_two_sided`` (monotone in t): a hundred evaluations, hence the cache,
    and exact to the float's last bits.
    """
    alpha = 1 - confidence
    low, high = 0.0, z_critical(confidence)
    while t_two_sided(high, df) > alpha:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if t_two_sided(middle, df) > alpha:
            low = middle
        else:
            high = middle
    return high


def _beta_tail(x: float, one_minus_x: float, a: float, b: float) -> float:
    """I_x(a, b) by its continued fraction (modified Lentz), for x below (a+1)/(a+b+2)."""
    if x == 0.0:
        return 0.0
    log_front = (
        a * math.log(x)
        + b * math.log(one_minus_x)
        + math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
    )
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    fraction = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            fraction *= c * d
        if abs(c * d - 1.0) < 1e-16:
            break
    return math.exp(log_front) * fraction / a
