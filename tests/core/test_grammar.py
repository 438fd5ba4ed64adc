"""The /ctr command language: every accepted form, and the messages for the rest."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.ctr import Counts
from core.errors import InputError
from core.grammar import Command, Compare, Help, Single, Variant, parse_command

SINGLE_200_50000 = Single(Variant(label=None, counts=Counts(200, 50_000)))


@pytest.mark.parametrize(
    "text",
    [
        "200 50000",
        "  200   50000 ",
        "200/50000",
        "200 / 50,000",
        "200 of 50000",
        "200 out of 50k",
        "200 clicks 50000 impressions",
        "200 clicks, 50000 impressions",
        "200 Clicks 50000 Impr.",
        "50000 impressions 200 clicks",
        "impressions=50000 clicks=200",
        "clicks=200 impressions=50000",
        "clicks = 200, impr = 50k",
        "200\n50000",
        "200 50 000",  # digit groups split by the shell: only one reading is possible
    ],
)
def test_single_forms_agree(text: str) -> None:
    assert parse_command(text) == SINGLE_200_50000


@pytest.mark.parametrize("text", ["", "help", "HELP", " help ", "?", "--help"])
def test_help(text: str) -> None:
    assert parse_command(text) == Help()


def test_comparison() -> None:
    assert parse_command("200 50000 vs 260 48000") == Compare(
        Variant(None, Counts(200, 50_000)), Variant(None, Counts(260, 48_000))
    )


def test_named_comparison_keeps_labels_verbatim() -> None:
    command = parse_command("Spring sale: 200/50k VS <!here>: 3 of 10")
    assert command == Compare(
        Variant("Spring sale", Counts(200, 50_000)), Variant("<!here>", Counts(3, 10))
    )


@pytest.mark.parametrize("separator", ["vs", "VS", "vs.", "versus"])
def test_comparison_separators(separator: str) -> None:
    command = parse_command(f"A: 1 10 {separator} B: 2 10")
    assert isinstance(command, Compare)
    assert (command.a.label, command.b.label) == ("A", "B")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50000 200", "Did you mean `/ctr 200 50000`?"),
        ("impressions=200 clicks=50000", "Did you mean `/ctr 200 50000`?"),
        ("200 0", "CTR is undefined with 0 impressions"),
        ("0 0", "CTR is undefined with 0 impressions"),
        ("200", "I need two numbers"),
        ("1 2 3", "which number is clicks"),
        ("200 500 000", "which number is clicks"),  # 200 | 500 000 or 200 500 | 000?
        ("200 clicks", "Give impressions too"),
        ("50000 impressions", "Give clicks too"),
        ("200 clicks 50000", "Label both numbers or neither"),
        ("200 50000 vs", "each side of `vs`"),
        ("vs", "each side of `vs`"),
        ("1 2 vs 3 4 vs 5 6", "two ads at a time"),
        ("foo=1 clicks=2", "I don't know the label 'foo'"),
        ("clicks=1 clicks=2", "given twice"),
        ("clicks=1", "Label both numbers"),
        ("clicks=1 5 impressions=9", "Label both numbers"),
        ("-5 100", "can't be negative"),
        ("x" * 501, "501 characters"),
        ("A" * 41 + ": 1 2", "ad names under 40"),
        ("1.5 10", "whole number"),
        ("two ten", "not a number"),
    ],
)
def test_errors_say_what_was_wrong(text: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_command(text)
    assert expected in caught.value.render("/ctr")


def test_spaced_digit_groups_on_both_sides() -> None:
    assert parse_command("1 200 1 250 000") == Single(Variant(None, Counts(1200, 1_250_000)))


def test_errors_without_a_guess_show_an_example() -> None:
    with pytest.raises(InputError) as caught:
        parse_command("lots of clicks")
    assert caught.value.render("/ctr").endswith("Try `/ctr 200 50000`.")


@given(st.text(max_size=120) | st.sampled_from(["WATCHING", "status", "trend x", "unwatch 1"]))
def test_any_text_parses_or_raises_input_error(text: str) -> None:
    # Any command, a watch or history one included ("WATCHING" once made this fail by chance
    # when it listed only the CTR commands).
    try:
        command = parse_command(text)
    except InputError as error:
        message = error.render("/ctr")
    else:
        assert isinstance(command, Command)
        return
    assert message.endswith(("`.", "`?"))


@given(st.integers(0, 10**12), st.integers(1, 10**12))
def test_numbers_in_any_form_mean_the_same(clicks: int, extra: int) -> None:
    impressions = clicks + extra
    forms = [
        f"{clicks} {impressions}",
        f"{clicks:,}/{impressions:_}",
        f"impressions={impressions} clicks={clicks}",
    ]
    expected = Single(Variant(None, Counts(clicks, impressions)))
    assert all(parse_command(form) == expected for form in forms)
