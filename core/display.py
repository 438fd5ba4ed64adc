"""Numbers as people read them: percents, points, lifts, p-values and one-line summaries."""

from __future__ import annotations

from fractions import Fraction

from core.counts import format_count
from core.ctr import Comparison, CtrResult

USAGE_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("200 50000", "CTR of 200 clicks out of 50,000 impressions"),
    ("200/50k", "the same, shorter (k, M and B work; so do 50,000 and 5e4)"),
    ("200 clicks 50000 impressions", "labelled, in either order"),
    ("impressions=50000 clicks=200", "labelled with ="),
    ("200 50000 vs 260 48000", "compare two ads: lift, p-value and a verdict"),
    ("Spring: 200 50000 vs Summer: 260 48000", "compare two named ads"),
)

# Below this (0.1 %) two decimals would show one significant digit or none at all.
_TINY_PERCENT = Fraction(1, 10)
_SIGNIFICANT_DIGITS = 2


def format_percent(value: Fraction | float) -> str:
    """A rate (0.004) as a percent ("0.40%"), rounding half-up as spreadsheets do.

    Works on the exact integer ratio (a float's too): no binary rounding can flip a half.

    >>> format_percent(Fraction(200, 50000)), format_percent(Fraction(3, 10_000_000))
    ('0.40%', '0.000030%')
    """
    num, den = _ratio(value)
    if num < 0:
        return "-" + format_percent(-value)
    num *= 100  # num / den is now the percent
    if num == 0 or num * _TINY_PERCENT.denominator >= den * _TINY_PERCENT.numerator:
        return _fixed_ratio(num, den, 2) + "%"
    decimals = _SIGNIFICANT_DIGITS - 1 - _floor_log10(num, den)
    scaled = _round_half_up(num, den, decimals)
    if scaled * 10 >= 10**decimals:  # 0.0999 rounds up into the two-decimal range
        return _fixed_ratio(num, den, 2) + "%"
    return _digits(scaled, decimals) + "%"


def format_pp(difference: float) -> str:
    """A difference of two rates in percentage points: 0.0012 -> "+0.12 pp"."""
    points = _fixed(abs(Fraction(difference)) * 100, 2)
    sign = "−" if difference < 0 and points != "0.00" else "+"
    return f"{sign}{points} pp"


def format_lift(lift: float | None) -> str:
    """Relative change of B over A: 0.302 -> "+30.2%"; None (A had no clicks) -> "n/a"."""
    if lift is None:
        return "n/a"
    magnitude = _fixed(abs(Fraction(lift)) * 100, 1)
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
        f"{name}CTR {format_percent(counts.rate)} "
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


def _fixed(value: Fraction, decimals: int) -> str:
    """Half-up rounding to ``decimals`` places, exactly (floats would round 0.125 down)."""
    return _fixed_ratio(value.numerator, value.denominator, decimals)


def _ratio(value: Fraction | float) -> tuple[int, int]:
    if isinstance(value, Fraction):
        return value.numerator, value.denominator
    return value.as_integer_ratio()


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
