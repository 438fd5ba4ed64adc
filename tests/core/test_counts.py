"""Counts as people type them: table-driven accepts and rejects, and the round-trip law."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.counts import MAX_COUNT, format_count, parse_count
from core.errors import InputError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50000", 50_000),
        ("50,000", 50_000),
        ("50 000", 50_000),
        ("50_000", 50_000),
        ("1,234,567", 1_234_567),
        ("50k", 50_000),
        ("50K", 50_000),
        ("1.2M", 1_200_000),
        ("1.2m", 1_200_000),
        ("3B", 3_000_000_000),
        ("1.25k", 1_250),
        (".5k", 500),
        ("5e4", 50_000),
        ("5E4", 50_000),
        ("1.5e3", 1_500),
        ("  7  ", 7),
        ("+5", 5),
        ("0", 0),
        ("1e15", MAX_COUNT),
        ("1000000000000", 10**12),
        (1234, 1234),
        (1234.0, 1234),
        (0, 0),
    ],
)
def test_parses_human_numbers(text: str | int | float, expected: int) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1.2345k", "whole number"),
        ("0.5", "whole number"),
        ("5e-1", "whole number"),
        (1.5, "whole number"),
        ("-5", "negative"),
        ("-0", "negative"),
        (-3, "negative"),
        ("nan", "number"),
        ("NaN", "number"),
        ("inf", "number"),
        ("-inf", "not a number"),  # no digits: a placeholder, not a negative count
        ("Infinity", "number"),
        (float("nan"), "number"),
        (float("inf"), "number"),
        ("１２", "plain digit"),  # fullwidth digits
        ("٥٠", "plain digit"),  # Arabic-Indic digits
        ("5O", "not a number"),  # letter O for zero
        ("l00", "not a number"),  # letter l for one
        ("50\u00a0000", "plain digit"),
        ("1e16", "larger than"),
        (10**16, "larger than"),
        ("1e999999", "far too large"),
        ("9" * 5000, "too long"),
        ("", "missing"),
        ("   ", "missing"),
        ("1,5", "not a number"),
        ("10,00", "not a number"),
        ("1,000_000", "not a number"),
        ("5e4k", "exponent"),
        ("k", "not a number"),
        ("e5", "not a number"),
        ("12abc", "not a number"),
        ("1.2.3", "not a number"),
        (True, "number"),
        ("1.00000000000000000000000000001k", "whole number"),
    ],
)
def test_rejects_with_a_clear_message(text: str | int | float, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_count(text, "impressions")
    message = str(caught.value)
    assert fragment in message
    assert message.startswith("Impressions")
    assert "\n" not in message


def test_long_input_is_clipped_in_the_message() -> None:
    with pytest.raises(InputError) as caught:
        parse_count("1" * 30 + "x", "clicks")
    assert len(str(caught.value)) < 120


@given(st.integers(min_value=0, max_value=MAX_COUNT))
def test_format_then_parse_round_trips(n: int) -> None:
    assert parse_count(format_count(n)) == n


@given(st.text(max_size=60))
def test_any_text_parses_or_raises_input_error(text: str) -> None:
    try:
        value = parse_count(text)
    except InputError:
        return
    assert 0 <= value <= MAX_COUNT


def test_format_count_groups_thousands() -> None:
    assert format_count(50_000) == "50,000"
    assert format_count(999) == "999"
    assert format_count(10**12) == "1,000,000,000,000"


@given(n=st.integers(0, 10**12), noise=st.floats(-0.9e-9, 0.9e-9))  # inside, not on, the edge
def test_a_sheet_float_within_the_tolerance_of_a_whole_count_is_its_nearest(
    n: int, noise: float
) -> None:
    """|x - round(x)| <= 1e-9 * max(1, |x|): formula noise such as =0.1*3*10000 is dropped."""
    value = n + noise * max(1, n)
    assert parse_count(value, "impressions") == round(value)


@given(n=st.integers(0, 10**5), frac=st.floats(1e-3, 1 - 1e-3))
def test_a_float_clearly_between_counts_is_refused(n: int, frac: float) -> None:
    with pytest.raises(InputError, match="whole number"):
        parse_count(n + frac, "impressions")


@given(st.text(min_size=1, max_size=30).filter(lambda t: not any(c.isdigit() for c in t)))
def test_text_without_digits_is_missing_or_not_a_number_never_negative(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_count(text, "clicks")
    message = str(caught.value)
    assert "negative" not in message
    assert "missing" in message or "not a number" in message or "too long" in message
