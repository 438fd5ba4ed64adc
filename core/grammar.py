"""The `/ctr` command language, shared by the Slack bot and the `ctr` CLI."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core import reasons
from core.counts import parse_count
from core.ctr import Counts
from core.errors import InputError
from core.history_commands import (
    USUAL_FOR_EXAMPLE,
    HistoryCommand,
    for_splits,
    parse_trend,
    usual_request,
)
from core.watching import WatchCommand, is_watch_command, parse_watch_command

MAX_TEXT_CHARS = 500
MAX_LABEL_CHARS = 40
COMPARE_EXAMPLE = "A: 200 50000 vs B: 260 48000"

_HELP_WORDS = {"", "help", "?", "-h", "--help", "usage"}
_VS = re.compile(r"\s+(?:vs\.?|versus)\s+", re.IGNORECASE)
_LABEL = re.compile(r"^(?P<label>[^:=\d][^:=]*?)\s*:\s*(?P<rest>.*)$", re.DOTALL)
_CLICK_WORD = r"(?:clicks?|clk)"
_IMPR_WORD = r"(?:impressions?|impr\.?|imps?|views?)"
_SLASH = re.compile(r"^(?P<c>[^/]+?)\s*/\s*(?P<i>[^/]+)$")
_OF = re.compile(r"^(?P<c>\S+)\s+(?:out\s+)?of\s+(?P<i>\S+)$", re.IGNORECASE)
_WORDS_CI = re.compile(
    rf"^(?P<c>\S+)\s+{_CLICK_WORD}\s*,?\s+(?P<i>\S+)\s+{_IMPR_WORD}$", re.IGNORECASE
)
_WORDS_IC = re.compile(
    rf"^(?P<i>\S+)\s+{_IMPR_WORD}\s*,?\s+(?P<c>\S+)\s+{_CLICK_WORD}$", re.IGNORECASE
)
_UNIT_WORD = re.compile(rf"^(?:{_CLICK_WORD}|{_IMPR_WORD})$", re.IGNORECASE)
_LEAD_GROUP = re.compile(r"^\d{1,3}$")
_GROUP = re.compile(r"^\d{3}$")
_KEYED = re.compile(r"(?P<key>[A-Za-z.]+)\s*=\s*(?P<value>[^\s,;]+)")
_CLICK_KEY = re.compile(rf"^{_CLICK_WORD}$", re.IGNORECASE)
_IMPR_KEY = re.compile(rf"^{_IMPR_WORD}$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Help:
    """The person asked how to use the command (or typed nothing)."""


@dataclass(frozen=True, slots=True)
class Variant:
    """One ad's counts, with the name the person gave it, if any (raw text: escape to show)."""

    label: str | None
    counts: Counts


@dataclass(frozen=True, slots=True)
class Single:
    """`/ctr 200 50000`: one CTR."""

    variant: Variant


@dataclass(frozen=True, slots=True)
class Compare:
    """`/ctr 200 50000 vs 260 48000`: two ads side by side."""

    a: Variant
    b: Variant


Command = Help | Single | Compare | WatchCommand | HistoryCommand


def parse_command(text: str) -> Command:
    """Read the text after `/ctr`.

    Raises:
        InputError: saying what was wrong, with a correct example or a guess.
    """
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"That is {len(text):,} characters; a CTR question fits in a line.")
    cleaned = " ".join(text.split())
    if cleaned.lower() in _HELP_WORDS:
        return Help()
    if is_watch_command(cleaned):
        return parse_watch_command(cleaned)
    try:
        return _plain(cleaned)
    except InputError:
        # Only what isn't a plain CTR question can be a history one: "Ads for kids: 200
        # 50000" stays an ad named "Ads for kids".
        history = _history(cleaned)
        if history is None:
            raise
        return history


def _plain(cleaned: str) -> Single | Compare:
    sides = _VS.split(f" {cleaned} ")
    if len(sides) == 1:
        return Single(parse_variant(cleaned))
    if len(sides) > 2:
        raise InputError("I can compare two ads at a time.", example=COMPARE_EXAMPLE)
    first, second = (side.strip() for side in sides)
    if not first or not second:
        raise InputError("Put an ad on each side of `vs`.", example=COMPARE_EXAMPLE)
    return Compare(parse_variant(first), parse_variant(second))


def _history(cleaned: str) -> HistoryCommand | None:
    """``trend <campaign>`` or ``<one CTR> for <campaign>``; None when neither reading fits.

    The counts are checked now, so a typo is answered at once rather than after a sheet read.
    """
    trend = parse_trend(cleaned)
    if trend is not None:
        return trend
    splits = for_splits(cleaned)
    for counts_text, name in splits:
        try:
            parse_variant(counts_text)
        except InputError:
            continue
        if len(_VS.split(f" {counts_text} ")) == 1:
            return usual_request(counts_text, name)
    if not splits:
        return None
    counts_text, name = splits[0]
    if len(_VS.split(f" {counts_text} ")) > 1:
        raise InputError(
            "`for` goes with one CTR (this week's), not a comparison.", example=USUAL_FOR_EXAMPLE
        )
    request = usual_request(counts_text, name)  # says what is missing, if anything is
    parse_variant(request.counts_text)  # raises, saying what is wrong with the counts
    return request


def parse_variant(text: str) -> Variant:
    """One side: an optional `Name:` label, then clicks and impressions in any accepted form."""
    label = None
    match = _LABEL.match(text)
    if match is not None:
        label = match["label"].strip()
        text = match["rest"].strip()
        if len(label) > MAX_LABEL_CHARS:
            raise InputError(f"Keep ad names under {MAX_LABEL_CHARS} characters.")
    clicks_text, impressions_text = _split_counts(text)
    clicks = parse_count(clicks_text, "clicks")
    impressions = parse_count(impressions_text, "impressions")
    if impressions == 0:  # a command needs a defined CTR
        raise InputError(reasons.UNDEFINED())
    return Variant(label=label, counts=Counts(clicks=clicks, impressions=impressions))


def _split_counts(text: str) -> tuple[str, str]:
    """Find the clicks text and the impressions text, whichever way they were written."""
    if not text:
        raise InputError("Give clicks and then impressions.")
    words = text.split()
    if len(words) == 2 and words[0].isdigit() and words[1].isdigit():
        return words[0], words[1]  # "200 50000", the usual form: no pattern below can match it
    if "=" in text:
        return _split_keyed(text)
    for pattern in (_WORDS_CI, _WORDS_IC, _OF, _SLASH):
        match = pattern.match(text)
        if match is not None:
            return match["c"], match["i"]
    _refuse_half_labelled(words)
    if len(words) == 2:
        return words[0], words[1]
    if len(words) == 1:
        raise InputError(f"I need two numbers, clicks then impressions; I only see {words[0]!r}.")
    readings = [
        (" ".join(words[:cut]), " ".join(words[cut:]))
        for cut in range(1, len(words))
        if _is_grouped(words[:cut]) and _is_grouped(words[cut:])
    ]
    if len(readings) == 1:
        return readings[0]
    raise InputError("I couldn't tell which number is clicks and which is impressions.")


def _is_grouped(words: list[str]) -> bool:
    """``["50", "000"]``: one count whose thousands the shell split into words (50 000).

    >>> _is_grouped(["1", "250", "000"]), _is_grouped(["200", "50"])
    (True, False)
    """
    if len(words) == 1:
        return True
    return bool(_LEAD_GROUP.match(words[0])) and all(_GROUP.match(w) for w in words[1:])


def _refuse_half_labelled(words: list[str]) -> None:
    units = [word.lower() for word in words if _UNIT_WORD.match(word)]
    if not units:
        return
    if len(words) == 2:
        missing = "clicks" if _IMPR_KEY.match(units[0]) else "impressions"
        raise InputError(
            f"Give {missing} too, with its label.", example="200 clicks 50000 impressions"
        )
    raise InputError("Label both numbers or neither.", example="200 clicks 50000 impressions")


def _split_keyed(text: str) -> tuple[str, str]:
    pairs = list(_KEYED.finditer(text))
    leftover = _KEYED.sub("", text).strip(" ,;")
    found: dict[str, str] = {}
    for pair in pairs:
        key = _key_name(pair["key"])
        if key in found:
            raise InputError(f"{key.capitalize()} is given twice.")
        found[key] = pair["value"]
    if leftover or set(found) != {"clicks", "impressions"}:
        raise InputError(
            "Label both numbers, like `clicks=200 impressions=50000`.",
            example="impressions=50000 clicks=200",
        )
    return found["clicks"], found["impressions"]


def _key_name(key: str) -> str:
    if _CLICK_KEY.match(key):
        return "clicks"
    if _IMPR_KEY.match(key):
        return "impressions"
    raise InputError(
        f"I don't know the label {key!r}; use clicks= and impressions=.",
        example="impressions=50000 clicks=200",
    )
