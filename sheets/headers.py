"""Find the campaign table (its header row and columns) and the columns the tool owns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

from core.counts import DecimalMark
from sheets.errors import SheetLayoutError
from sheets.ownership import Evidence, column_letter, owned_columns

CTR_HEADER = "CTR"
STATUS_HEADER = "CTR status"
# KPI boxes, titles and date-range lines sit above real tables: look this far down for a header.
HEADER_SEARCH_ROWS = 30

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
    new_columns: tuple[int, ...] = ()  # owned columns this sync creates (header written, marked)
    adopted: tuple[int, ...] = ()  # unmarked columns proven the tool's own on this read
    decimal_mark: DecimalMark = "."  # "," when the sheet's locale writes 1.234,5


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
    *,
    header_row: int | None = None,
    evidence: Evidence | None = None,
) -> Layout:
    """The campaign table's header row and columns, and the owned CTR/status columns.

    ``header_row`` (1-based, as people count rows) skips detection. ``evidence`` is what the
    backend knows beyond values (formulas, notes, the tool's column markers).

    Raises:
        SheetLayoutError: naming what it found, when the table or its columns are unclear.
    """
    evidence = evidence or Evidence.from_values(grid)
    _check_overrides(impressions_col, clicks_col)
    wanted_impr = {normalise(impressions_col)} if impressions_col else IMPRESSIONS
    wanted_clicks = {normalise(clicks_col)} if clicks_col else CLICKS
    index = (
        _chosen_row(grid, header_row)
        if header_row is not None
        else _header_row(grid, wanted_impr, wanted_clicks, (impressions_col, clicks_col))
    )
    row = grid[index]
    names = [normalise(cell) for cell in row]
    impr = _one(_matching(names, wanted_impr), row, "impressions", index)
    clicks = _one(_matching(names, wanted_clicks), row, "clicks", index)
    if impr == clicks:
        raise SheetLayoutError(
            f"Impressions and clicks would both be read from column {column_letter(impr)} "
            f"({row[impr]!r}); name the two columns with --impressions-col and --clicks-col."
        )
    owned = owned_columns(grid, index, evidence, CTR_HEADER, STATUS_HEADER)
    for col, what in ((impr, "impressions"), (clicks, "clicks")):
        if col in (owned.ctr, owned.status):
            raise SheetLayoutError(
                f"The {what} column ({column_letter(col)}) is one the sync writes (CTR or "
                f"CTR status); point --{what}-col at the column that holds the {what}."
            )
    return Layout(
        header_row=index,
        impressions=impr,
        clicks=clicks,
        ctr=owned.ctr,
        status=owned.status,
        date=_first(names, DATES),
        campaign=_first(names, CAMPAIGNS),
        width=max(evidence.column_count, owned.ctr + 1, owned.status + 1),
        new_columns=owned.new,
        adopted=owned.adopted,
        decimal_mark=evidence.decimal_mark,
    )


def _check_overrides(impressions_col: str | None, clicks_col: str | None) -> None:
    for option, name in (("--impressions-col", impressions_col), ("--clicks-col", clicks_col)):
        if name is not None and name.strip() in (CTR_HEADER, STATUS_HEADER):
            raise SheetLayoutError(
                f"{option} {name!r} names a column the sync writes itself; "
                "name the column that holds your numbers."
            )
    if impressions_col and clicks_col and normalise(impressions_col) == normalise(clicks_col):
        raise SheetLayoutError(
            f"--impressions-col and --clicks-col both name {clicks_col!r}; "
            "they must be two different columns."
        )


def _chosen_row(grid: Sequence[Sequence[Cell]], header_row: int) -> int:
    if not 1 <= header_row <= len(grid):
        raise SheetLayoutError(f"--header-row {header_row} is outside the sheet (1-{len(grid)}).")
    return header_row - 1


def _header_row(
    grid: Sequence[Sequence[Cell]],
    wanted_impr: set[str],
    wanted_clicks: set[str],
    overrides: tuple[str | None, str | None],
) -> int:
    """The row heading the real table: the candidate whose following rows are its data.

    A KPI box ("Total impressions | Total clicks" over one row of numbers) names the same
    columns as the table below it; the candidates are told apart by how many rows fit them.
    """
    candidates = [
        index
        for index, row in enumerate(grid[:HEADER_SEARCH_ROWS])
        if _candidate(row, wanted_impr, wanted_clicks)
    ]
    if not candidates:
        raise SheetLayoutError(_missing_message(grid, *overrides))
    if len(candidates) == 1:
        return candidates[0]
    ends = [*candidates[1:], len(grid)]
    fits = [
        _fitting_rows(grid, start, end, wanted_impr, wanted_clicks)
        for start, end in zip(candidates, ends, strict=True)
    ]
    plausible = [(row, fit) for row, fit in zip(candidates, fits, strict=True) if fit >= 2]
    if len(plausible) == 1:
        return plausible[0][0]
    if not plausible and fits[-1] >= 1:
        return candidates[-1]  # a one-row table under header-only or empty blocks
    shown = ", ".join(
        f"row {row + 1} ({fit} data rows)" for row, fit in zip(candidates, fits, strict=True)
    )
    best = max(zip(fits, candidates, strict=True))[1] + 1
    raise SheetLayoutError(
        f"Several rows could head the campaign table: {shown}. "
        f"Choose one with --header-row, e.g. --header-row {best}."
    )


def _candidate(row: Sequence[Cell], wanted_impr: set[str], wanted_clicks: set[str]) -> bool:
    names = [normalise(cell) for cell in row]
    return bool(_matching(names, wanted_impr)) and bool(_matching(names, wanted_clicks))


def _fitting_rows(
    grid: Sequence[Sequence[Cell]],
    start: int,
    end: int,
    wanted_impr: set[str],
    wanted_clicks: set[str],
) -> int:
    """Rows below the candidate at ``start`` whose impressions and clicks cells hold numbers."""
    names = [normalise(cell) for cell in grid[start]]
    impr, clicks = _matching(names, wanted_impr), _matching(names, wanted_clicks)
    if len(impr) != 1 or len(clicks) != 1:
        return 0
    return sum(
        1
        for row in islice(grid, start + 1, end)
        if _numeric(_cell(row, impr[0])) and _numeric(_cell(row, clicks[0]))
    )


def _numeric(value: Cell) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return True
    text = value.strip().replace(",", "").replace(".", "").replace(" ", "")
    return text.isdigit() or bool(re.fullmatch(r"\d+[kKmMbB]", text))


def _cell(row: Sequence[Cell], col: int) -> Cell:
    return row[col] if col < len(row) else None


def _matching(names: list[str], wanted: set[str]) -> list[int]:
    return [i for i, name in enumerate(names) if name in wanted]


def _one(columns: list[int], row: Sequence[Cell], what: str, index: int) -> int:
    if not columns:
        raise SheetLayoutError(
            f"Row {index + 1} has no {what} column (headers: "
            f"{', '.join(repr(str(c)) for c in row if c not in (None, ''))}). "
            f"Pick one with --{what}-col."
        )
    if len(columns) > 1:
        found = ", ".join(repr(str(row[i])) for i in columns)
        raise SheetLayoutError(
            f"Several columns could be the {what}: {found}. Pick one with --{what}-col."
        )
    return columns[0]


def _first(names: list[str], wanted: set[str]) -> int | None:
    matches = _matching(names, wanted)
    return matches[0] if matches else None


def _missing_message(grid: Sequence[Sequence[Cell]], impr: str | None, clicks: str | None) -> str:
    seen = [str(c) for row in grid[:HEADER_SEARCH_ROWS] for c in row if str(c or "").strip()]
    shown = ", ".join(repr(name) for name in seen[:15]) or "none"
    wanted = f"{impr or 'Impressions'!r} and {clicks or 'Clicks'!r}"
    return (
        f"No header row with {wanted} in the first {HEADER_SEARCH_ROWS} rows "
        f"(headers found: {shown}). Rename the columns, or name them with --impressions-col/"
        "--clicks-col (and --header-row N if the table starts further down)."
    )
