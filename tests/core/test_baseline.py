"""The usual CTR and tests against it, checked against statsmodels' quasi-binomial GLM."""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportions_ztest

from core.baseline import (
    BASELINE_WEEKS,
    DISPERSION_WEEKS,
    Method,
    check,
    pearson_dispersion,
    trailing_weeks,
    usual_band,
    usual_ctr,
    week_over_week,
)
from core.ctr import Counts, total
from core.stats import t_critical, t_two_sided

REL = 1e-9

HISTORIES = [
    [(100, 10_000), (140, 10_000), (120, 10_000), (95, 9_000)],
    [(200, 50_000), (260, 48_000), (180, 52_000), (210, 49_000), (230, 51_000)],
    [(1_200, 100_000), (1_150, 98_000), (1_300, 101_000), (1_260, 99_500), (1_210, 100_500)],
    [(100, 10_000), (101, 10_000), (99, 10_000), (100, 10_000), (98, 9_900)],  # φ̂ < 1
    [(5, 400), (30, 1_000), (7, 2_000), (900, 500_000), (11, 3_000), (2, 150)],
    [(4_000_000, 10**9), (4_100_000, 10**9), (3_950_000, 10**9), (4_020_000, 10**9)],
]
WEEKS = [(130, 10_000), (170, 50_000), (1_000, 100_000), (40, 6_000), (4_300_000, 10**9)]


def glm_scale(history: list[tuple[int, int]]) -> tuple[float, float]:
    """statsmodels: an intercept-only binomial GLM with Pearson's scale: (rate, φ raw)."""
    clicks = np.array([c for c, _ in history], dtype=float)
    impressions = np.array([n for _, n in history], dtype=float)
    # Proportions weighted by their trials: with a two-column endog statsmodels' Pearson χ²
    # ignores the trials (the scale comes out per impression).
    model = sm.GLM(
        clicks / impressions,
        np.ones((len(history), 1)),
        family=sm.families.Binomial(),
        var_weights=impressions,
    )
    fit = model.fit(scale="X2")
    rate = float(1 / (1 + math.exp(-fit.params[0])))
    return rate, float(fit.scale)


def counts(pairs: list[tuple[int, int]]) -> list[Counts]:
    return [Counts(c, n) for c, n in pairs]


@pytest.mark.parametrize("history", HISTORIES)
def test_dispersion_and_rate_match_statsmodels_glm(history: list[tuple[int, int]]) -> None:
    rate, scale = glm_scale(history)
    usual = usual_ctr(counts(history))
    assert usual is not None
    assert usual.method is Method.QUASI
    assert math.isclose(usual.rate, rate, rel_tol=REL)
    raw, df = pearson_dispersion(counts(history))
    assert df == len(history) - 1
    assert math.isclose(raw, scale, rel_tol=REL)
    assert usual.dispersion == max(1.0, raw)


def test_longer_history_counts_in_blocks_of_eight_like_a_glm_with_block_intercepts() -> None:
    # 19 weeks, newest first: blocks of 8, 8 and 3, each around its own rate (a slow trend
    # is not week-to-week noise); statsmodels fits one intercept per block.
    history = [h for block in HISTORIES[1:5] for h in block][:19]
    blocks = np.repeat(np.eye(3), [8, 8, 3], axis=0)
    clicks = np.array([c for c, _ in history], dtype=float)
    impressions = np.array([n for _, n in history], dtype=float)
    fit = sm.GLM(
        clicks / impressions, blocks, family=sm.families.Binomial(), var_weights=impressions
    ).fit(scale="X2")
    raw, df = pearson_dispersion(counts(history))
    assert df == 19 - 3
    assert math.isclose(raw, fit.scale, rel_tol=REL)
    usual = usual_ctr(counts(history))
    assert usual is not None
    assert (usual.df, usual.weeks, usual.counts) == (16, 8, total(counts(history[:8])))
    assert math.isclose(usual.dispersion, max(1.0, fit.scale), rel_tol=REL)


@pytest.mark.parametrize("history", HISTORIES)
@pytest.mark.parametrize("week", WEEKS)
def test_check_matches_statsmodels(history: list[tuple[int, int]], week: tuple[int, int]) -> None:
    _, scale = glm_scale(history)
    phi = max(1.0, scale)
    history = history[:BASELINE_WEEKS]
    pooled = (sum(c for c, _ in history), sum(n for _, n in history))
    z, _ = proportions_ztest([week[0], pooled[0]], [week[1], pooled[1]])
    oracle_statistic = z / math.sqrt(phi)
    oracle_p = 2 * scipy_stats.t.sf(abs(oracle_statistic), len(history) - 1)
    usual = usual_ctr(counts(history))
    assert usual is not None
    result = check(Counts(*week), usual)
    assert math.isclose(result.statistic, oracle_statistic, rel_tol=REL)
    assert math.isclose(result.p_value, oracle_p, rel_tol=REL)


@pytest.mark.parametrize("history", HISTORIES)
def test_week_over_week_uses_the_same_dispersion(history: list[tuple[int, int]]) -> None:
    _, scale = glm_scale(history)
    usual = usual_ctr(counts(history))
    previous, current = history[0], (history[0][0] * 3 // 2, history[0][1])
    z, _ = proportions_ztest([current[0], previous[0]], [current[1], previous[1]])
    statistic, p = week_over_week(Counts(*previous), Counts(*current), usual)
    assert math.isclose(statistic, z / math.sqrt(max(1.0, scale)), rel_tol=REL)
    oracle_p = 2 * scipy_stats.t.sf(abs(statistic), len(history) - 1)
    assert math.isclose(p, oracle_p, rel_tol=REL)


def test_fewer_than_four_weeks_fall_back_to_the_binomial_test() -> None:
    history = [(100, 10_000), (160, 10_000), (120, 10_000)]
    usual = usual_ctr(counts(history))
    assert usual is not None
    assert (usual.method, usual.dispersion, usual.df) == (Method.BINOMIAL, 1.0, None)
    z, p = proportions_ztest([150, 380], [10_000, 30_000])
    result = check(Counts(150, 10_000), usual)
    assert math.isclose(result.statistic, z, rel_tol=REL)
    assert math.isclose(result.p_value, p, rel_tol=REL)


def test_no_history_has_no_usual() -> None:
    assert usual_ctr([]) is None
    assert usual_ctr([Counts(0, 0)]) is None


@pytest.mark.parametrize("df", [1, 2, 3, 5, 7, 30, 2.5])
@pytest.mark.parametrize("t", [0.0, 0.3, 1.0, 1.96, 2.5, 4.0, 12.0, 80.0, 1e4])
def test_t_distribution_matches_scipy(df: float, t: float) -> None:
    # scipy.stats.t.sf, statsmodels' own reference for t tests.
    assert math.isclose(t_two_sided(t, df), 2 * scipy_stats.t.sf(t, df), rel_tol=REL)


@pytest.mark.parametrize("df", [3, 4, 7])
def test_t_critical_matches_scipy(df: int) -> None:
    assert math.isclose(t_critical(df), scipy_stats.t.ppf(0.975, df), rel_tol=REL)


def test_a_very_variable_campaign_is_not_unusual_where_binomial_cries_wolf() -> None:
    # Brand search from the issue: 6.07 % → 5.54 % at 100k impressions is p < 0.001 by the
    # binomial test, yet well inside a campaign whose weeks scatter this much.
    history = counts([(6_070, 100_000), (5_600, 100_000), (6_300, 100_000), (5_750, 100_000)])
    usual = usual_ctr(history)
    assert usual is not None
    assert check(Counts(5_540, 100_000), usual).unusual is None
    _, p = week_over_week(Counts(6_070, 100_000), Counts(5_540, 100_000), usual)
    assert p > 0.05
    assert proportions_ztest([5_540, 6_070], [100_000, 100_000])[1] < 0.001


def test_trailing_weeks_skip_weeks_without_data_and_stop_at_eight() -> None:
    monday = date(2026, 11, 23)
    table = {monday - timedelta(days=7 * back): {"A": Counts(back, 1_000)} for back in range(1, 15)}
    table[monday - timedelta(days=14)] = {"B": Counts(1, 10)}  # A has no data that week
    found = trailing_weeks(table, monday, "A")
    assert [c.clicks for c in found] == [1, 3, 4, 5, 6, 7, 8, 9]
    assert len(found) == BASELINE_WEEKS
    total = trailing_weeks(table, monday, None)
    assert [c.clicks for c in total] == [1, 1, 3, 4, 5, 6, 7, 8]


WEEK = st.integers(1, 10**7).flatmap(lambda n: st.builds(Counts, st.integers(0, n), st.just(n)))
HISTORY = st.lists(WEEK, min_size=1, max_size=DISPERSION_WEEKS)


@settings(max_examples=60, deadline=None)
@given(HISTORY, WEEK, st.randoms(use_true_random=False))
def test_usual_laws(history: list[Counts], week: Counts, rng: object) -> None:
    usual = usual_ctr(history)
    assert usual is not None
    # The pooled total of the newest 8 weeks, never the mean of the weeks' CTRs.
    recent = history[:BASELINE_WEEKS]
    assert Fraction(usual.counts.clicks, usual.counts.impressions) == Fraction(
        sum(w.clicks for w in recent), sum(w.impressions for w in recent)
    )
    assert usual.dispersion >= 1.0
    assert (usual.method is Method.QUASI) == (len(history) >= 4)
    # Within each block of 8 weeks, their order does not matter.
    shuffled: list[Counts] = []
    for start in range(0, len(history), BASELINE_WEEKS):
        block = history[start : start + BASELINE_WEEKS]
        rng.shuffle(block)  # type: ignore[attr-defined]
        shuffled += block
    again = usual_ctr(shuffled)
    assert again is not None
    assert again.counts == usual.counts
    assert math.isclose(again.dispersion, usual.dispersion, rel_tol=1e-12)
    result = check(week, usual)
    assert 0.0 <= result.p_value <= 1.0
    assert 0.0 <= result.band.low <= result.band.high <= 1.0


@settings(max_examples=60, deadline=None)
@given(HISTORY, WEEK)
def test_outside_the_band_is_exactly_unusual(history: list[Counts], week: Counts) -> None:
    usual = usual_ctr(history)
    assert usual is not None
    result = check(week, usual)
    band = usual_band(week.impressions, usual)
    margin = 1e-9 * max(result.rate, 1e-12)
    if band.low + margin < result.rate < band.high - margin:
        assert result.unusual is None
    elif result.rate < band.low - margin:
        assert result.unusual == "low"
    elif result.rate > band.high + margin:
        assert result.unusual == "high"


def test_t_distribution_is_referred_to_k_minus_one_weeks() -> None:
    history = counts([(100, 10_000), (140, 10_000), (120, 10_000), (95, 9_000), (130, 11_000)])
    usual = usual_ctr(history)
    assert usual is not None
    assert usual.df == 4
    result = check(Counts(150, 10_000), usual)
    assert result.p_value == t_two_sided(result.statistic, 4)
