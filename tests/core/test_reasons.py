"""Reasons are proven, not resembled: every reason written is recognised, nothing else is."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.counts import POINT, UNKNOWN, Numerals, parse_count
from core.ctr import Counts
from core.errors import InputError
from core.reasons import COUNT_REASONS, QUOTED, is_reason, shown

NUMERALS = st.sampled_from([POINT, UNKNOWN, Numerals(",", "."), Numerals(".", "’")])
VALUES = st.one_of(
    st.text(max_size=45),
    st.text(alphabet="0123456789.,-+ ekKmMbB’_\u00a0", max_size=25),
    st.integers(-(10**17), 10**17),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


def _problem(action: Callable[[], object]) -> str | None:
    try:
        action()
    except InputError as error:
        return error.problem
    return None


@settings(max_examples=300, deadline=None)
@given(value=VALUES, what=st.sampled_from(["clicks", "impressions", "count"]), numerals=NUMERALS)
def test_every_reason_a_count_gets_is_recognised(
    value: str | int | float, what: str, numerals: Numerals
) -> None:
    problem = _problem(lambda: parse_count(value, what, numerals))
    assert problem is None or is_reason(problem), problem


@given(clicks=st.integers(-5, 10**13), impressions=st.integers(-5, 10**13))
def test_every_reason_two_counts_get_is_recognised(clicks: int, impressions: int) -> None:
    problem = _problem(lambda: Counts(clicks=clicks, impressions=impressions).rate)
    assert problem is None or is_reason(problem), problem


@settings(max_examples=300, deadline=None)
@given(value=VALUES, numerals=NUMERALS, edit=st.text(min_size=1, max_size=3), at=st.integers())
def test_a_recognised_text_is_exactly_what_its_template_writes(
    value: str | int | float, numerals: Numerals, edit: str, at: int
) -> None:
    """A reason, or a person's edit of one: recognised only if writing it again gives it back."""
    text = _problem(lambda: parse_count(value, "clicks", numerals))
    if text is None:
        return
    where = at % (len(text) + 1)
    for candidate in (text, text[:where] + edit + text[where:], text[:where]):
        for template in COUNT_REASONS:
            values = template.parse(candidate)
            if values is not None:
                assert template(**values) == candidate


@pytest.mark.parametrize(
    "text",
    [
        "Clicks look low, check the tracking.",
        "Impressions are fine?",
        "CTR is what we want.",
        "Clicks (500) can't exceed impressions (100)",
        "Clicks (5000) can't exceed impressions (100).",
        "Clicks (500) can't exceed impressions (100). Ask Ann.",
        " Clicks is missing.",
        "clicks is missing.",
        "Views is missing.",
        "Clicks must be a number, not maybe.",
        "Impressions 'lots' is not a number like 50000, 50,000 or 50k!",
        "Clicks can't be negative: lots.",
        "Clicks can't be negative: '-5.",
    ],
)
def test_look_alikes_are_a_persons(text: str) -> None:
    assert not is_reason(text)


@pytest.mark.parametrize(
    "text",
    [
        "Clicks (5,000) can't exceed impressions (1,000).",
        "Clicks is missing.",
        "Impressions 'lots' is not a number like 50000, 50,000 or 50k.",
        "Clicks can't be negative: '-5'.",
        "CTR is undefined with 0 impressions: the ad was never shown.",
    ],
)
def test_the_tools_own_reasons_are_recognised(text: str) -> None:
    assert is_reason(text)


@given(st.text(max_size=40))
def test_any_text_a_person_typed_is_recognised_quoted_as_the_tool_quotes_it(text: str) -> None:
    assert QUOTED.recognises(shown(text))
