"""Every figure checked against statsmodels (a test-only oracle) on a grid of hard cases."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from statistics import NormalDist

import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    proportion_confint,
    proportion_effectsize,
    proportions_ztest,
)

from core.ctr import Counts, compare, measure
from core.stats import sample_size_per_group, two_proportion_ztest, wilson_interval

REL = 1e-9
# Exact zeros (0 clicks) are compared absolutely: relative error is meaningless at 0.
ABS = 1e-15

GRID = [
    (0, 1),
    (1, 1),
    (0, 50_000),
    (200, 50_000),
    (50_000, 50_000),
    (1, 10_000_000),
    (3, 7),
    (4_000_000_000, 10**12),
    (1, 10**12),
    (10**12, 10**12),
]


def close(ours: float, oracle: float) -> bool:
    return math.isclose(ours, float(oracle), rel_tol=REL, abs_tol=ABS)


@pytest.mark.parametrize(("clicks", "impressions"), GRID)
def test_wilson_matches_statsmodels(clicks: int, impressions: int) -> None:
    low, high = proportion_confint(clicks, impressions, alpha=0.05, method="wilson")
    interval = wilson_interval(clicks, impressions)
    assert close(interval.low, low)
    assert close(interval.high, high)


def _well_conditioned(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Pairs where statsmodels' float arithmetic keeps ~15 digits (no cancellation)."""
    rate_a, rate_b = a[0] / a[1], b[0] / b[1]
    pooled = (a[0] + b[0]) / (a[1] + b[1])
    return abs(rate_a - rate_b) > 1e-6 * max(rate_a, rate_b) and 1e-6 < pooled < 1 - 1e-6


PAIRS = [pair for pair in itertools.product(GRID, repeat=2) if pair[0] != pair[1]]


@pytest.mark.parametrize(("a", "b"), [pair for pair in PAIRS if _well_conditioned(*pair)])
def test_ztest_matches_statsmodels(a: tuple[int, int], b: tuple[int, int]) -> None:
    ours = two_proportion_ztest(*b, *a)
    z, p = proportions_ztest([b[0], a[0]], [b[1], a[1]])
    assert close(ours.z, z)
    assert close(ours.p_value, p)


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_ztest_matches_exact_arithmetic(a: tuple[int, int], b: tuple[int, int]) -> None:
    ours = two_proportion_ztest(*b, *a)
    pooled = Fraction(a[0] + b[0], a[1] + b[1])
    variance = pooled * (1 - pooled) * (Fraction(1, a[1]) + Fraction(1, b[1]))
    if variance == 0:
        # statsmodels returns nan here; with no variance there is no evidence of a difference.
        assert (ours.z, ours.p_value) == (0.0, 1.0)
        return
    exact_z = float(Fraction(b[0], b[1]) - Fraction(a[0], a[1])) / math.sqrt(variance)
    assert close(ours.z, exact_z)
    assert close(ours.p_value, 2 * NormalDist().cdf(-abs(exact_z)))


def test_ztest_is_exact_where_floats_cannot_tell_rates_apart() -> None:
    # 4e9 vs 4e9+1 clicks in 1e12: the rates differ by 1e-12, far below float spacing of
    # the rates themselves, yet the exact difference gives a real (tiny) z.
    result = two_proportion_ztest(4_000_000_001, 10**12, 4_000_000_000, 10**12)
    expected_z = 1e-12 / math.sqrt(0.0040000000005 * (1 - 0.0040000000005) * 2e-12)
    assert math.isclose(result.z, expected_z, rel_tol=1e-9)


@pytest.mark.parametrize(
    ("p1", "p2"),
    [(0.004, 0.0054), (0.004, 0.0042), (0.1, 0.3), (0.0, 0.01), (0.5, 0.51), (0.99, 1.0)],
)
def test_sample_size_matches_statsmodels(p1: float, p2: float) -> None:
    effect = proportion_effectsize(p1, p2)
    oracle = NormalIndPower().solve_power(effect_size=effect, alpha=0.05, power=0.8, ratio=1)
    ours = sample_size_per_group(p1, p2)
    assert ours is not None
    # statsmodels' own power function at our n hits the target to float precision ...
    achieved = NormalIndPower().power(effect_size=effect, nobs1=ours, alpha=0.05, ratio=1)
    assert math.isclose(achieved, 0.8, abs_tol=1e-12)
    # ... while its root finder stops earlier (power off by ~2e-9 on large effects).
    assert math.isclose(ours, oracle, rel_tol=1e-7)


def test_sample_size_of_equal_rates_is_unbounded() -> None:
    assert sample_size_per_group(0.01, 0.01) is None


COUNT_PAIRS = st.integers(0, 10**12).flatmap(
    lambda c: st.tuples(st.just(c), st.integers(max(c, 1), 10**12))
)


@given(COUNT_PAIRS)
def test_ctr_lies_inside_its_interval(pair: tuple[int, int]) -> None:
    result = measure(Counts(*pair))
    assert 0.0 <= result.ci_low <= result.rate <= result.ci_high <= 1.0


def test_compare_reports_lift_and_power() -> None:
    result = compare(Counts(200, 50_000), Counts(210, 50_000))
    assert result.lift is not None
    assert math.isclose(result.lift, 0.05)
    assert not result.significant
    oracle = NormalIndPower().solve_power(
        effect_size=proportion_effectsize(0.004, 0.0042), alpha=0.05, power=0.8, ratio=1
    )
    assert result.needed_per_variant == math.ceil(oracle)
    assert result.more_needed_per_variant == math.ceil(oracle) - 50_000


def test_compare_significant_has_no_more_needed() -> None:
    result = compare(Counts(200, 50_000), Counts(260, 48_000))
    assert result.significant
    assert result.leader == "b"
    assert result.more_needed_per_variant is None
