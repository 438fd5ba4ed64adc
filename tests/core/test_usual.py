"""How a usual CTR reads, and `--usual`'s list of weeks: any text parses or says why not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.baseline import check, usual_ctr
from core.ctr import Counts
from core.errors import InputError
from core.usual import describe_check, parse_history, unusual_mark, usual_phrase


def test_history_is_oldest_first_as_typed_and_newest_first_inside() -> None:
    assert parse_history("1/10, 2/20;3/30 4/40") == [
        Counts(4, 40),
        Counts(3, 30),
        Counts(2, 20),
        Counts(1, 10),
    ]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "needs the campaign's previous weeks"),
        ("180/52,000", "Week 2 of --usual ('000')"),
        ("5/4", "Week 1 of --usual: Clicks (5) can't exceed impressions (4)."),
        ("1/10,x/10", "Week 2 of --usual: Clicks 'x' is not a number"),
        ("1/2/3", "is not clicks/impressions"),
    ],
)
def test_bad_history_says_which_week_and_why(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_history(text)
    assert fragment in raised.value.render("ctr")
    assert "\n" not in raised.value.render("ctr")


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789/,; kM.-_xé\n"), max_size=40))
def test_any_history_text_parses_or_says_why(text: str) -> None:
    try:
        weeks = parse_history(text)
    except InputError as error:
        rendered = error.render("ctr")
    else:
        assert all(w.clicks <= w.impressions for w in weeks)
        return
    assert rendered.count("\n") == 0
    assert rendered.startswith(("Week ", "--usual"))


def test_the_words_for_a_usual_and_an_unusual_week() -> None:
    steady = [Counts(600, 10_000), Counts(605, 10_000), Counts(598, 10_000), Counts(602, 10_000)]
    usual = usual_ctr(steady)
    assert usual is not None
    low = check(Counts(500, 10_000), usual)
    assert usual_phrase(low) == "usual 6.01%"
    assert unusual_mark(low) == "▼ unusually low for it"
    assert unusual_mark(check(Counts(600, 10_000), usual)) == ""
    assert unusual_mark(None) == ""
    lines = describe_check(low, 10_000)
    assert lines[0] == "Usual CTR 6.01% (2,405 clicks / 40,000 impressions over its last 4 weeks)"
    assert lines[1].startswith("▼ 5.00% is unusually low for it: usual range ")
    assert "t test on 3 degrees of freedom" in lines[2]
