"""Find the header row and the columns that matter, from the names marketing exports use."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sheets.errors import SheetLayoutError

CTR_HEADER = "CTR"
STATUS_HEADER = "CTR status"
HEADER_SEARCH_ROWS = 10

# Normalised (lower-case, letters and digits only) names seen in ad-platform exports.
IMPRESSIONS = {"impressions", "impression", "impr", "imps", "imp", "views", "totalimpressions"}
CLICKS = {"clicks", "click", "linkclicks", "clicksall", "allclicks", "totalclicks", "clk"}
DATES = {"date", "day", "reportingstarts", "reportdate", "daydate"}
CAMPAIGNS = {"campaign", "campaignname", "campaigns"}

Cell = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Layout:
    """Where things are, as 0-based indexes into the grid."""

    header_row: int
    impressions: int
    clicks: int
    ctr: int
    status: int
    date: int | None
    campaign: int | None
    width: int  # columns the grid needs so that both owned columns exist


def normalise(name: Cell) -> str:
    """ "Clicks (all)" → "clicksall"; "Impr." → "impr".

    >>> normalise(" Link Clicks ")
    'linkclicks'
    """
    return re.sub(r"[^a-z0-9]", "", str(name or "").lower())


def find_layout(
    grid: Sequence[Sequence[Cell]],
    impressions_col: str | None = None,
    clicks_col: str | None = None,
) -> Layout:
    """The first row within the top ten naming both impressions and clicks, and its columns.

    Raises:
        SheetLayoutError: naming the headers it found, when none or several columns match.
    """
    wanted_impr = {normalise(impressions_col)} if impressions_col else IMPRESSIONS
    wanted_clicks = {normalise(clicks_col)} if clicks_col else CLICKS
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        names = [normalise(cell) for cell in row]
        impr = _matching(names, wanted_impr)
        clicks = _matching(names, wanted_clicks)
        if impr and clicks:
            return _layout(
                index, row, names, _one(impr, row, "impressions"), _one(clicks, row, "clicks")
            )
    raise SheetLayoutError(_missing_message(grid, impressions_col, clicks_col))


def _layout(index: int, row: Sequence[Cell], names: list[str], impr: int, clicks: int) -> Layout:
    used = max((i for i, cell in enumerate(row) if str(cell or "").strip()), default=-1)
    ctr = _existing(names, CTR_HEADER)
    status = _existing(names, STATUS_HEADER)
    next_free = used + 1
    if ctr is None:
        ctr, next_free = next_free, next_free + 1
    if status is None:
        status = next_free
    return Layout(
        header_row=index,
        impressions=impr,
        clicks=clicks,
        ctr=ctr,
        status=status,
        date=_first(names, DATES),
        campaign=_first(names, CAMPAIGNS),
        width=max(len(row), ctr + 1, status + 1),
    )


def _matching(names: list[str], wanted: set[str]) -> list[int]:
    return [i for i, name in enumerate(names) if name in wanted]


def _one(columns: list[int], row: Sequence[Cell], what: str) -> int:
    if len(columns) > 1:
        found = ", ".join(repr(str(row[i])) for i in columns)
        raise SheetLayoutError(
            f"Several columns could be the {what}: {found}. Pick one with --{what}-col."
        )
    return columns[0]


def _existing(names: list[str], header: str) -> int | None:
    matches = _matching(names, {normalise(header)})
    return matches[0] if matches else None


def _first(names: list[str], wanted: set[str]) -> int | None:
    matches = _matching(names, wanted)
    return matches[0] if matches else None


def _missing_message(grid: Sequence[Sequence[Cell]], impr: str | None, clicks: str | None) -> str:
    seen = [str(c) for row in grid[:HEADER_SEARCH_ROWS] for c in row if str(c or "").strip()]
    shown = ", ".join(repr(name) for name in seen[:15]) or "none"
    wanted = f"{impr or 'Impressions'!r} and {clicks or 'Clicks'!r}"
    return (
        f"No header row with {wanted} in the first {HEADER_SEARCH_ROWS} rows "
        f"(headers found: {shown}). Rename the columns or use --impressions-col/--clicks-col."
    )
