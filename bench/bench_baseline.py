"""Are "unusual for itself" weeks real? A simulated year of campaigns with known drops.

Run: .venv/bin/python bench/bench_baseline.py            (1,000 campaigns × 52 weeks)
     .venv/bin/python bench/bench_baseline.py --small    (200 campaigns: a quick CI run)

Each campaign has its own base CTR (0.5–5 %), week-to-week coefficient of variation (5–20 %)
and volume (10k–500k impressions a week, ±10 % from week to week). A week's true CTR is drawn
from a beta distribution with that mean and CV, its clicks binomially: beta-binomial weeks, as
real campaigns show. In 5 % of campaign-weeks the mean drops by 25 % for that week only.

Three tests, on every week with 8 weeks of history before it:
- today's: the binomial pooled z-test of this week against the last (core.stats);
- the new one: this week against the campaign's usual CTR, quasi-binomial φ from the 8 weeks
  before it, Student's t on 7 df (core.baseline, the product's own code);
- an oracle: the same comparison with the campaign's TRUE dispersion (beta-binomial variance
  of every week), on the normal: no test that must estimate the dispersion can beat it.

It prints the false-alarm rate on unchanged weeks (goal ≤ 5 %), the share of 25 % drops each
test detects by volume and CV, both at the nominal 5 % level and at a matched false-alarm rate
(each test's own 5 % threshold within the cell, so the comparison is power against power), and
a Kolmogorov–Smirnov distance of the unchanged weeks' p-values from uniform.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from core.baseline import DISPERSION_WEEKS, check, usual_ctr, week_over_week
from core.ctr import Counts
from core.stats import normal_two_sided, two_proportion_ztest

WEEKS = 52
HISTORY = 8
DROP = 0.25
DROP_SHARE = 0.05
ALPHA = 0.05
VOLUMES = ((10_000, 50_000), (50_000, 150_000), (150_000, 500_001))
CVS = ((0.05, 0.10), (0.10, 0.15), (0.15, 0.2001))
_NORMAL = NormalDist()


@dataclass
class Year:
    """One simulated year: per campaign and week, impressions, clicks, and truth."""

    impressions: np.ndarray  # (campaigns, weeks)
    clicks: np.ndarray
    dropped: np.ndarray  # bool: this week's true mean was cut by 25 %
    rate: np.ndarray  # (campaigns,) base CTR
    cv: np.ndarray  # (campaigns,) week-to-week coefficient of variation
    volume: np.ndarray  # (campaigns,) typical impressions a week


def simulate(campaigns: int, seed: int) -> Year:
    rng = np.random.default_rng(seed)
    rate = np.exp(rng.uniform(math.log(0.005), math.log(0.05), campaigns))
    cv = rng.uniform(0.05, 0.20, campaigns)
    volume = np.exp(rng.uniform(math.log(10_000), math.log(500_000), campaigns))
    jitter = np.exp(rng.normal(0.0, 0.1, (campaigns, WEEKS)))
    impressions = np.clip(np.rint(volume[:, None] * jitter), 10_000, 500_000).astype(np.int64)
    dropped = rng.random((campaigns, WEEKS)) < DROP_SHARE
    dropped[:, :HISTORY] = False
    mean = rate[:, None] * np.where(dropped, 1 - DROP, 1.0)
    # Beta with this mean and sd = cv·mean: α + β = mean(1 − mean)/sd² − 1.
    strength = mean * (1 - mean) / (cv[:, None] * mean) ** 2 - 1
    true_rate = rng.beta(mean * strength, (1 - mean) * strength)
    clicks = rng.binomial(impressions, true_rate)
    return Year(impressions, clicks, dropped, rate, cv, volume)


@dataclass
class Tested:
    """One evaluated campaign-week: its p-values (signed by direction) and its truth."""

    campaign: int
    dropped: bool
    clean: bool  # neither this week nor the one before was a drop
    today: tuple[float, float]  # (statistic, p) per test
    new: tuple[float, float]
    new8: tuple[float, float]
    new8z: tuple[float, float]  # the same statistic on the normal: what t(k − 1) is for
    new_wow: tuple[float, float]
    oracle: tuple[float, float]


def evaluate(year: Year) -> list[Tested]:
    out = []
    campaigns = year.impressions.shape[0]
    for c in range(campaigns):
        n, x = year.impressions[c].tolist(), year.clicks[c].tolist()
        rho = _intraclass(year.rate[c], year.cv[c])
        for w in range(HISTORY, WEEKS):
            # Newest first, as core.baseline.trailing_weeks gives them.
            longer = [
                Counts(x[i], n[i]) for i in range(w - 1, max(-1, w - 1 - DISPERSION_WEEKS), -1)
            ]
            history = longer[:HISTORY]
            week, last = Counts(x[w], n[w]), history[0]
            usual = usual_ctr(longer)
            short = usual_ctr(history, dispersion_weeks=HISTORY)
            assert usual is not None
            assert short is not None
            checked, checked_short = check(week, usual), check(week, short)
            today = two_proportion_ztest(
                week.clicks, week.impressions, last.clicks, last.impressions
            )
            out.append(
                Tested(
                    campaign=c,
                    dropped=bool(year.dropped[c, w]),
                    clean=not (year.dropped[c, w] or year.dropped[c, w - 1]),
                    today=(today.z, today.p_value),
                    new=(checked.statistic, checked.p_value),
                    new8=(checked_short.statistic, checked_short.p_value),
                    new8z=(checked_short.statistic, normal_two_sided(checked_short.statistic)),
                    new_wow=week_over_week(last, week, usual),
                    oracle=_oracle(history, week, rho),
                )
            )
    return out


def _intraclass(rate: float, cv: float) -> float:
    """Beta-binomial ρ = 1/(α + β + 1): Var(clicks) = n·p(1 − p)·(1 + (n − 1)·ρ)."""
    return float(cv * cv * rate / (1 - rate))


def _oracle(history: list[Counts], week: Counts, rho: float) -> tuple[float, float]:
    """This week against the pooled baseline with the true beta-binomial variance of every
    week (the rate itself estimated from the baseline, as any real test must)."""
    big_n = sum(h.impressions for h in history)
    p = sum(h.clicks for h in history) / big_n
    unit = p * (1 - p)
    var_base = sum(h.impressions * unit * (1 + (h.impressions - 1) * rho) for h in history)
    var_base /= big_n * big_n
    var_week = unit * (1 + (week.impressions - 1) * rho) / week.impressions
    z = (week.clicks / week.impressions - p) / math.sqrt(var_base + var_week)
    return z, 2 * _NORMAL.cdf(-abs(z))


TESTS = ("today", "new8z", "new8", "new", "new_wow", "oracle")
LABELS = {
    "today": "today: binomial, week over week",
    "new8z": "φ from the 8 baseline weeks on the normal (not shipped)",
    "new8": "new, φ from the 8 baseline weeks: vs usual CTR, t(7)",
    "new": "new, φ from up to 26 weeks in blocks of 8: vs usual CTR, t(df)",
    "new_wow": "new: week over week, same φ and t(df)",
    "oracle": "oracle: vs usual CTR, true dispersion",
}


def false_alarms(rows: list[Tested], test: str) -> float:
    clean = [getattr(r, test)[1] for r in rows if r.clean]
    return sum(p < ALPHA for p in clean) / len(clean)


def ks_distance(p_values: list[float]) -> float:
    """Kolmogorov–Smirnov distance of the p-values' distribution from uniform on [0, 1]."""
    values = np.sort(np.asarray(p_values))
    k = len(values)
    above = np.arange(1, k + 1) / k - values
    below = values - np.arange(0, k) / k
    return float(max(above.max(), below.max()))


def detected(rows: list[Tested], test: str, threshold: float) -> float:
    drops = [getattr(r, test) for r in rows if r.dropped]
    if not drops:
        return float("nan")
    return sum(p < threshold and stat < 0 for stat, p in drops) / len(drops)


def matched_threshold(rows: list[Tested], test: str) -> float:
    """The p-value threshold giving this test a 5 % false-alarm rate on these clean weeks."""
    clean = sorted(getattr(r, test)[1] for r in rows if r.clean)
    return clean[max(0, int(ALPHA * len(clean)) - 1)] if clean else ALPHA


def cell_of(
    year: Year, rows: list[Tested], volume: tuple[int, int], cv: tuple[float, float]
) -> list[Tested]:
    return [
        r
        for r in rows
        if volume[0] <= year.volume[r.campaign] < volume[1] and cv[0] <= year.cv[r.campaign] < cv[1]
    ]


def report(year: Year, rows: list[Tested], seconds: float) -> None:
    clean = [r for r in rows if r.clean]
    drops = sum(r.dropped for r in rows)
    print(
        f"{year.impressions.shape[0]:,} campaigns × {WEEKS} weeks: {len(rows):,} weeks tested "
        f"({len(clean):,} unchanged, {drops:,} with a true 25 % drop); tests took {seconds:.1f} s\n"
    )
    print("| test | false alarms on unchanged weeks (goal ≤ 5 %) | KS distance from uniform |")
    print("| --- | ---: | ---: |")
    for test in TESTS:
        ks = ks_distance([getattr(r, test)[1] for r in clean])
        print(f"| {LABELS[test]} | {false_alarms(rows, test):.1%} | {ks:.3f} |")
    print("\nFalse alarms by cell (today's → new):\n")
    print("| impressions a week | CV 5–10 % | CV 10–15 % | CV 15–20 % |")
    print("| --- | ---: | ---: | ---: |")
    for volume in VOLUMES:
        cells = []
        for cv in CVS:
            cell = cell_of(year, rows, volume, cv)
            cells.append(f"{false_alarms(cell, 'today'):.0%} → {false_alarms(cell, 'new'):.1%}")
        print(f"| {_volume(volume)} | " + " | ".join(cells) + " |")
    print(
        "\n25 % drops detected at p < 0.05 (today's / new with φ from 8 weeks / new with φ from "
        "26 / oracle), then new ÷ oracle at a matched 5 % false-alarm rate in the cell "
        "(goal ≥ 0.9):\n"
    )
    print(
        "| impressions a week | CV | drops | today | new, 8 | new, 26 | oracle "
        "| 8 ÷ oracle | 26 ÷ oracle |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for volume in VOLUMES:
        for cv in CVS:
            cell = cell_of(year, rows, volume, cv)
            nominal = [detected(cell, test, ALPHA) for test in ("today", "new8", "new", "oracle")]
            ratios = [matched_ratio(cell, test) for test in ("new8", "new")]
            print(
                f"| {_volume(volume)} | {cv[0]:.0%}–{min(cv[1], 0.2):.0%} | "
                f"{sum(r.dropped for r in cell)} | "
                + " | ".join(f"{d:.0%}" for d in nominal)
                + " | "
                + " | ".join(f"{r:.2f}" for r in ratios)
                + " |"
            )
    oracle = detected(rows, "oracle", matched_threshold(rows, "oracle"))
    for test in ("new8", "new"):
        ours = detected(rows, test, matched_threshold(rows, test))
        print(
            f"\nAll weeks, matched 5 % false alarms: {LABELS[test]} detects {ours:.1%}, the "
            f"oracle {oracle:.1%} (ratio {ours / oracle:.2f})."
        )


def matched_ratio(rows: list[Tested], test: str) -> float:
    """Detection of ``test`` ÷ the oracle's, each at its own 5 % false-alarm threshold."""
    oracle = detected(rows, "oracle", matched_threshold(rows, "oracle"))
    ours = detected(rows, test, matched_threshold(rows, test))
    return ours / oracle if oracle else float("nan")


def _volume(volume: tuple[int, int]) -> str:
    return f"{volume[0] // 1000}k–{round(volume[1], -3) // 1000}k"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=1000)
    parser.add_argument("--small", action="store_true", help="200 campaigns: a quick run for CI")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    year = simulate(200 if args.small else args.campaigns, args.seed)
    started = time.process_time()
    rows = evaluate(year)
    report(year, rows, time.process_time() - started)


if __name__ == "__main__":
    main()
