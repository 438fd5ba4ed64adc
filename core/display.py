"""Numbers as people read them: percents, points, lifts, p-values and one-line summaries."""

from __future__ import annotations

from fractions import Fraction

from core.counts import format_count
from core.ctr import Comparison, Counts, CtrResult

USAGE_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("200 50000", "CTR of 200 clicks out of 50,000 impressions"),
    ("200/50k", "the same, shorter (k, M and B work; so do 50,000 and 5e4)"),
    ("200 clicks 50000 impressions", "labelled, in either order"),
    ("impressions=50000 clicks=200", "labelled with ="),
    ("200 50000 vs 260 48000", "compare two ads: lift, p-value and a verdict"),
    ("Spring: 200 50000 vs Summer: 260 48000", "compare two named ads"),
)

_SIGNIFICANT_DIGITS = 2


def format_percent(value: Fraction | float) -> str:
    """A rate (0.004) as a percent ("0.40%"), rounding half-up as spreadsheets do.

    Works on the exact integer ratio (a float's too): no binary rounding can flip a half.

    >>> format_percent(Fraction(200, 50000)), format_percent(Fraction(3, 10_000_000))
    ('0.40%', '0.000030%')
    """
    if isinstance(value, Fraction):
        return percent_of(value.numerator, value.denominator)
    return percent_of(*value.as_integer_ratio())


def format_rate(counts: Counts) -> str:
    """A CTR as a percent, from its counts' exact ratio: how every CTR is shown, so Slack, a
    summary and the CLI agree to the last digit (the float clicks / impressions can sit a
    hair under a half: 21 / 20,000 is 0.105 %, "0.11%", while its float showed "0.10%").

    >>> format_rate(Counts(21, 20_000))
    '0.11%'
    """
    return percent_of(counts.clicks, counts.impressions)


def percent_of(num: int, den: int) -> str:
    """``num / den`` (den > 0) as ``format_percent`` writes it, straight from the integers:
    a CTR is clicks over impressions, so no Fraction need be built to show it.

    >>> percent_of(200, 50000), percent_of(1, 800)
    ('0.40%', '0.13%')
    """
    if num < 0:
        return "-" + percent_of(-num, den)
    num *= 100  # num / den is now the percent
    if num * 10 >= den or num == 0:  # 0.1 % and up, and zero: two decimals
        whole, part = divmod((num * 200 + den) // (2 * den), 100)
        return f"{whole}.{part:02d}%"
    # Below 0.1 % two decimals would show one significant digit or none at all.
    decimals = _SIGNIFICANT_DIGITS - 1 - _floor_log10(num, den)
    scaled = _round_half_up(num, den, decimals)
    if scaled * 10 >= 10**decimals:  # 0.0999 rounds up into the two-decimal range
        return _fixed_ratio(num, den, 2) + "%"
    return _digits(scaled, decimals) + "%"


def format_pp(difference: float) -> str:
    """A difference of two rates in percentage points: 0.0012 -> "+0.12 pp"."""
    num, den = abs(difference).as_integer_ratio()
    points = _fixed_ratio(num * 100, den, 2)
    sign = "−" if difference < 0 and points != "0.00" else "+"
    return f"{sign}{points} pp"


def format_lift(lift: float | None) -> str:
    """Relative change of B over A: 0.302 -> "+30.2%"; None (A had no clicks) -> "n/a"."""
    if lift is None:
        return "n/a"
    num, den = abs(lift).as_integer_ratio()
    magnitude = _fixed_ratio(num * 100, den, 1)
    sign = "−" if lift < 0 and magnitude != "0.0" else "+"
    return f"{sign}{magnitude}%"


def format_p_value(p: float) -> str:
    """Two significant digits, floored at the precision people act on."""
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.2g}" if p < 0.01 else f"p = {p:.2f}".rstrip("0").rstrip(".")


def describe_single(result: CtrResult, label: str | None = None) -> str:
    """ "CTR 0.40% (200 clicks / 50,000 impressions) · 95% CI 0.35%–0.46%"."""
    counts = result.counts
    name = f"{label}: " if label else ""
    return (
        f"{name}CTR {format_rate(counts)} "
        f"({format_count(counts.clicks)} clicks / {format_count(counts.impressions)} impressions)"
        f" · 95% CI {format_percent(result.ci_low)}–{format_percent(result.ci_high)}"
    )


def describe_comparison(comparison: Comparison, label_a: str, label_b: str) -> list[str]:
    """Both CTRs, the lift of B over A with its p-value, and a verdict, one per line."""
    return [
        describe_single(comparison.a, label_a),
        describe_single(comparison.b, label_b),
        f"Lift {label_b} vs {label_a}: {format_lift(comparison.lift)} "
        f"({format_pp(comparison.b.rate - comparison.a.rate)}) · "
        f"{format_p_value(comparison.p_value)}",
        verdict(comparison, label_a, label_b),
    ]


def verdict(comparison: Comparison, label_a: str, label_b: str) -> str:
    """The plain-words conclusion a marketer acts on."""
    if comparison.significant and comparison.leader is not None:
        winner = label_b if comparison.leader == "b" else label_a
        return f"{winner} is ahead, 95% sure ({format_p_value(comparison.p_value)})."
    if comparison.leader is None:
        return "No difference at all so far: both CTRs are equal."
    more = comparison.more_needed_per_variant
    if more is None:  # pragma: no cover - a difference always has a finite sample size
        return "Not significant yet."
    return (
        f"Not significant yet: about {format_count(more)} more impressions per ad needed "
        f"to tell at 95% with 80% power ({format_p_value(comparison.p_value)})."
    )


def _round_half_up(num: int, den: int, decimals: int) -> int:
    """round(num / den, decimals) half-up, as an integer count of 10**-decimals."""
    if decimals >= 0:
        return (num * _pow10(decimals) * 2 + den) // (2 * den)
    return (num * 2 + den * _pow10(-decimals)) // (2 * den * _pow10(-decimals))


def _pow10(exponent: int) -> int:
    """10**exponent for exponent >= 0, typed as the int it is."""
    return int(10**exponent)


def _fixed_ratio(num: int, den: int, decimals: int) -> str:
    return _digits(_round_half_up(num, den, decimals), decimals)


def _digits(scaled: int, decimals: int) -> str:
    if decimals <= 0:
        return str(scaled * 10**-decimals)
    whole, part = divmod(scaled, 10**decimals)
    return f"{whole}.{part:0{decimals}d}"


def _floor_log10(num: int, den: int) -> int:
    """floor(log10(num / den)) for positive integers, exactly."""
    exponent = len(str(num)) - len(str(den))
    while not _at_least(num, den, exponent):
        exponent -= 1
    while _at_least(num, den, exponent + 1):
        exponent += 1
    return exponent


def _at_least(num: int, den: int, exponent: int) -> bool:
    """num / den >= 10**exponent."""
    return num >= den * _pow10(exponent) if exponent >= 0 else num * _pow10(-exponent) >= den
