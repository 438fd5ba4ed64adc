"""`/ctr 200 50000 for <campaign>` and `/ctr trend <campaign>`: questions about a campaign's
own history, answered from the sheets a channel watches."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import InputError

USUAL_FOR_EXAMPLE = "200 50000 for Brand search"
TREND_EXAMPLE = "trend Brand search"
MAX_CAMPAIGN_CHARS = 100

_FOR = re.compile(r"\s+for\s+", re.IGNORECASE)
_TREND = re.compile(r"trend(?:\s+(?P<name>.*))?", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class UsualRequest:
    """Would ``counts_text`` (clicks and impressions, as typed) be unusual for ``campaign``?"""

    counts_text: str
    campaign: str  # raw text: escape to show


@dataclass(frozen=True, slots=True)
class TrendRequest:
    """The campaign's weekly CTR over the last 26 weeks, with its usual range."""

    campaign: str  # raw text: escape to show


HistoryCommand = UsualRequest | TrendRequest


def parse_trend(text: str) -> TrendRequest | None:
    """``trend <campaign>``; None when the text is no trend question.

    >>> parse_trend("trend  Brand search")
    TrendRequest(campaign='Brand search')
    """
    trend = _TREND.fullmatch(text.strip())
    return None if trend is None else TrendRequest(_campaign(trend["name"] or "", TREND_EXAMPLE))


def for_splits(text: str) -> list[tuple[str, str]]:
    """Every reading of ``text`` as ``<counts> for <campaign>``, the earliest `for` first
    (a campaign may be called "Search for shoes", a label "Ads for kids").

    >>> for_splits("A: 1 2 for Search for shoes")
    [('A: 1 2', 'Search for shoes'), ('A: 1 2 for Search', 'shoes')]
    """
    padded = f" {text.strip()} "
    return [(padded[: m.start()].strip(), padded[m.end() :].strip()) for m in _FOR.finditer(padded)]


def usual_request(counts_text: str, name: str) -> UsualRequest:
    if not counts_text:
        raise InputError("Give clicks and impressions before `for`.", example=USUAL_FOR_EXAMPLE)
    return UsualRequest(counts_text, _campaign(name, USUAL_FOR_EXAMPLE))


def same_campaign(typed: str, name: str) -> bool:
    """Names match ignoring case and runs of spaces, as people retype them.

    >>> same_campaign("brand  SEARCH", "Brand search")
    True
    """
    return _key(typed) == _key(name)


def _campaign(name: str, example: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InputError("Give the campaign's name, as the sheet writes it.", example=example)
    if len(name) > MAX_CAMPAIGN_CHARS:
        raise InputError(f"Campaign names here are under {MAX_CAMPAIGN_CHARS} characters.")
    return name


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()
