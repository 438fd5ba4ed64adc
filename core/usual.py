"""How a usual CTR reads, in the same words in summaries, `/ctr … for` and `ctr --usual`."""

from __future__ import annotations

import re

from core.baseline import Check, Method
from core.counts import format_count, parse_count
from core.ctr import Counts
from core.display import format_p_value, format_percent, format_rate
from core.errors import InputError

USUAL_EXAMPLE = "200 50000 --usual 180/52000,210/49000,190/50000,205/51000"
MAX_HISTORY_WEEKS = 520  # ten years of weeks: more is a paste gone wrong
_WEEK_SEPARATORS = re.compile(r"[,;\s]+")

ARROWS = {"high": "▲", "low": "▼"}


def usual_phrase(check: Check) -> str:
    """``usual 4.55%``; the binomial fallback says so.

    >>> from core.baseline import usual_ctr, check
    >>> from core.ctr import Counts
    >>> usual_phrase(check(Counts(50, 1_000), usual_ctr([Counts(40, 1_000)])))
    'usual 4.00%, 1 week: binomial test'
    """
    fallback = binomial_label(check)
    return f"usual {format_rate(check.usual.counts)}" + (f", {fallback}" if fallback else "")


def binomial_label(check: Check) -> str:
    """``3 weeks: binomial test`` when there was too little history to measure how much the
    campaign varies; "" otherwise."""
    usual = check.usual
    return f"{_weeks(usual.weeks)}: binomial test" if usual.method is Method.BINOMIAL else ""


def unusual_mark(check: Check | None) -> str:
    """ "▲ unusually high for it", "▼ unusually low for it", or "" for a usual week."""
    direction = None if check is None else check.unusual
    return "" if direction is None else f"{ARROWS[direction]} unusually {direction} for it"


def usual_range(check: Check, impressions: int) -> str:
    """``usual range 0.33%–0.44% at 50,000 impressions``"""
    band = check.band
    return (
        f"usual range {format_percent(band.low)}–{format_percent(band.high)} "
        f"at {format_count(impressions)} impressions"
    )


def describe_check(check: Check, impressions: int) -> list[str]:
    """Plain-text lines: the usual CTR, whether this figure is unusual for it, and how."""
    usual = check.usual
    counts = usual.counts
    head = (
        f"Usual CTR {format_rate(counts)} ({format_count(counts.clicks)} clicks / "
        f"{format_count(counts.impressions)} impressions over its last {_weeks(usual.weeks)})"
    )
    rate = format_rate(check.week)
    direction = check.unusual
    verdict = (
        f"{rate} is usual for it"
        if direction is None
        else f"{ARROWS[direction]} {rate} is unusually {direction} for it"
    )
    return [
        head,
        f"{verdict}: {usual_range(check, impressions)} ({format_p_value(check.p_value)}).",
        method_note(check),
    ]


def method_note(check: Check) -> str:
    """How the test allowed for the campaign's own variation, or why it could not."""
    usual = check.usual
    if usual.method is Method.BINOMIAL:
        return (
            f"Only {_weeks(usual.weeks)} of history: a binomial test, which can't yet allow "
            "for how much this campaign varies from week to week (that takes 4 weeks)."
        )
    return (
        f"Allowing for its own week-to-week variation ({usual.dispersion:.1f}× binomial, "
        f"t test on {usual.df} degrees of freedom); unusual means p < 0.05."
    )


def _weeks(count: int) -> str:
    return f"{count} week" if count == 1 else f"{count} weeks"


def parse_history(text: str) -> list[Counts]:
    """A campaign's previous weeks as typed after ``--usual``: ``clicks/impressions`` pairs,
    oldest first, separated by commas; returned newest first, as core.baseline takes them.

    >>> parse_history("180/52000, 210/49k")
    [Counts(clicks=210, impressions=49000), Counts(clicks=180, impressions=52000)]
    """
    tokens = [token for token in _WEEK_SEPARATORS.split(text.strip()) if token]
    if not tokens:
        raise InputError("--usual needs the campaign's previous weeks.", example=USUAL_EXAMPLE)
    if len(tokens) > MAX_HISTORY_WEEKS:
        raise InputError(
            f"--usual has {len(tokens):,} weeks; give at most {MAX_HISTORY_WEEKS} (26 are used).",
            example=USUAL_EXAMPLE,
        )
    # Every token first: "180/52,000" splits into "180/52" and "000", and the comma, not
    # the 52, is what the person should hear about.
    for number, token in enumerate(tokens, start=1):
        if token.count("/") != 1:
            raise InputError(
                f"Week {number} of --usual ({token[:20]!r}) is not clicks/impressions like "
                "180/52000 (weeks are separated by commas, so write 52,000 as 52000 or 52k).",
                example=USUAL_EXAMPLE,
            )
    return [_week(number, token) for number, token in enumerate(tokens, start=1)][::-1]


def _week(number: int, token: str) -> Counts:
    clicks, _, impressions = token.partition("/")
    try:
        return Counts(parse_count(clicks, "clicks"), parse_count(impressions, "impressions"))
    except InputError as error:
        raise InputError(
            f"Week {number} of --usual: {error.problem}", example=USUAL_EXAMPLE
        ) from None
