"""Percent, points, lift and p-value formatting as spreadsheets and people expect."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.ctr import Counts, compare, measure
from core.display import (
    describe_comparison,
    describe_single,
    format_lift,
    format_p_value,
    format_percent,
    format_pp,
    percent_of,
    verdict,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(200, 50_000), "0.40%"),
        (Fraction(50, 1000), "5.00%"),
        (Fraction(1, 800), "0.13%"),  # 0.125 % rounds half-up, as spreadsheets do
        (Fraction(5, 1000), "0.50%"),
        (Fraction(1, 3), "33.33%"),
        (Fraction(2, 3), "66.67%"),
        (Fraction(1), "100.00%"),
        (Fraction(0), "0.00%"),
        (Fraction(1, 1000), "0.10%"),
        (Fraction(999, 1_000_000), "0.10%"),
        (Fraction(43, 100_000), "0.043%"),
        (Fraction(3, 10_000_000), "0.000030%"),
        (Fraction(1, 10**12), "0.00000000010%"),
        (0.004, "0.40%"),
        (0.0034835632136496677, "0.35%"),
    ],
)
def test_format_percent(value: Fraction | float, expected: str) -> None:
    assert format_percent(value) == expected


@given(st.integers(1, 10**12).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_nonzero_ctr_never_prints_as_zero(pair: tuple[int, int]) -> None:
    text = format_percent(Fraction(*pair))
    assert any(digit in text for digit in "123456789")


def test_points_lift_and_p_values() -> None:
    assert format_pp(0.0012) == "+0.12 pp"
    assert format_pp(-0.0012) == "−0.12 pp"
    assert format_lift(0.302) == "+30.2%"
    assert format_lift(-0.05) == "−5.0%"
    assert format_lift(None) == "n/a"
    assert format_p_value(0.0001) == "p < 0.001"
    assert format_p_value(0.0012) == "p = 0.0012"
    assert format_p_value(0.31) == "p = 0.31"
    assert format_p_value(1.0) == "p = 1"


def test_describe_single_matches_the_documented_line() -> None:
    line = describe_single(measure(Counts(200, 50_000)))
    assert line == "CTR 0.40% (200 clicks / 50,000 impressions) · 95% CI 0.35%–0.46%"


def test_comparison_lines_and_verdicts() -> None:
    ahead = compare(Counts(200, 50_000), Counts(260, 48_000))
    lines = describe_comparison(ahead, "Spring", "Summer")
    assert lines[0].startswith("Spring: CTR 0.40%")
    assert lines[1].startswith("Summer: CTR 0.54%")
    assert "+35.4%" in lines[2]
    assert lines[3] == "Summer is ahead, 95% sure (p = 0.0012)."

    behind = compare(Counts(260, 48_000), Counts(200, 50_000))
    assert verdict(behind, "A", "B").startswith("A is ahead")

    unsure = compare(Counts(200, 50_000), Counts(210, 50_000))
    assert unsure.more_needed_per_variant is not None
    expected = f"about {unsure.more_needed_per_variant:,} more impressions per ad"
    assert expected in verdict(unsure, "A", "B")

    equal = compare(Counts(5, 100), Counts(10, 200))
    assert verdict(equal, "A", "B").startswith("No difference")


def reference_percent(value: Fraction) -> str:
    """The plain Fraction algorithm the integer implementation must agree with."""
    percent = value * 100

    def fixed(x: Fraction, d: int) -> str:
        scaled = math.floor(x * 10**d + Fraction(1, 2))
        return f"{scaled // 10**d}.{scaled % 10**d:0{d}d}"

    if percent == 0 or percent >= Fraction(1, 10):
        return fixed(percent, 2) + "%"
    exponent = math.floor(math.log10(percent))
    while Fraction(10) ** exponent > percent:
        exponent -= 1
    while Fraction(10) ** (exponent + 1) <= percent:
        exponent += 1
    text = fixed(percent, 1 - exponent)
    return (fixed(percent, 2) if Fraction(text) >= Fraction(1, 10) else text) + "%"


@given(st.integers(1, 10**12).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_percent_agrees_with_the_fraction_reference(pair: tuple[int, int]) -> None:
    value = Fraction(*pair)
    assert format_percent(value) == reference_percent(value)


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_percent_of_floats_agrees_with_their_exact_value(value: float) -> None:
    assert format_percent(value) == reference_percent(Fraction(value))


@given(st.integers(1, 10**15).flatmap(lambda n: st.tuples(st.integers(-n, n), st.just(n))))
def test_percent_of_the_integers_is_the_percent_of_their_fraction(pair: tuple[int, int]) -> None:
    num, den = pair
    assert percent_of(num, den) == format_percent(Fraction(num, den))


def reference_fixed(value: Fraction, decimals: int) -> str:
    scaled = math.floor(abs(value) * 10**decimals + Fraction(1, 2))
    return f"{scaled // 10**decimals}.{scaled % 10**decimals:0{decimals}d}"


@given(st.floats(min_value=-10, max_value=10, allow_nan=False))
def test_points_and_lift_round_the_floats_exact_value_half_up(value: float) -> None:
    points, lift = (
        reference_fixed(Fraction(value) * 100, 2),
        reference_fixed(Fraction(value) * 100, 1),
    )
    assert format_pp(value) == ("−" if value < 0 and points != "0.00" else "+") + points + " pp"
    assert format_lift(value) == ("−" if value < 0 and lift != "0.0" else "+") + lift + "%"
