"""Which rows and columns are the campaign table; when that is unclear, refuse and say how.

Ambiguity is never settled by a guess: two candidate tables side by side, a header spanning
two rows, a share or percent column where a count is expected each stop the sync with one
line naming what was found and the option that settles it, before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

from sheets.errors import SheetLayoutError
from sheets.ownership import column_letter

Cell = str | int | float | bool | None

# KPI boxes, titles and date-range lines sit above real tables: look this far down for a header.
HEADER_SEARCH_ROWS = 30
# A header naming a count and one of these is a share of it ("Impressions %", "Impr. share").
_SHARE_MARKS = ("%", "share", "percent", "pct", "rate", "ratio")


def normalise(name: Cell) -> str:
    """ "Clicks (all)" → "clicksall"; "Impr." → "impr"; a percent sign stays ("clicks%").

    >>> normalise(" Link Clicks "), normalise("Impressions %")
    ('linkclicks', 'impressions%')
    """
    return re.sub(r"[^a-z0-9%]", "", str(name or "").lower())


def matching(names: list[str], wanted: set[str]) -> list[int]:
    return [i for i, name in enumerate(names) if name in wanted]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A row naming an impressions and a clicks column, and the rows of numbers under them."""

    row: int
    columns: frozenset[int]
    fits: int  # rows below (up to the next candidate in these columns) with numbers in both
    last: int  # the last of those rows (== row when none)

    def beside(self, other: Candidate) -> bool:
        """Side by side: other columns, and rows that overlap (a summary beside the table)."""
        return not self.columns & other.columns and (
            self.row <= other.last and other.row <= self.last
        )


def header_row(grid: Sequence[Sequence[Cell]], impr: set[str], clicks: set[str]) -> int | None:
    """The row heading the real table: the candidate whose following rows are its data.

    A KPI box ("Total impressions | Total clicks" over one row of numbers) names the same
    columns as the table below it; stacked candidates are told apart by how many rows fit
    them. Two candidates side by side (a summary beside the table) are refused. None: no row
    names both columns.
    """
    rows = [
        index
        for index, row in enumerate(grid[:HEADER_SEARCH_ROWS])
        if _names_both(row, impr, clicks)
    ]
    if len(rows) < 2:
        return rows[0] if rows else None  # one candidate: nothing to tell apart, no data scan
    candidates = [_candidate(grid, index, rows, impr, clicks) for index in rows]
    _refuse_side_by_side(grid, candidates)
    plausible = [c for c in candidates if c.fits >= 2]
    if len(plausible) == 1:
        return plausible[0].row
    if not plausible and candidates[-1].fits >= 1 and not any(c.fits for c in candidates[:-1]):
        return candidates[-1].row  # a one-row table under header-only or empty blocks
    shown = ", ".join(f"row {c.row + 1} ({c.fits} data rows)" for c in candidates)
    best = max(candidates, key=lambda c: (c.fits, c.row)).row + 1
    raise SheetLayoutError(
        f"Several rows could head the campaign table: {shown}. "
        f"Choose one with --header-row, e.g. --header-row {best}."
    )


def _names_both(row: Sequence[Cell], impr: set[str], clicks: set[str]) -> bool:
    names = [normalise(cell) for cell in row]
    return bool(matching(names, impr)) and bool(matching(names, clicks))


def _candidate(
    grid: Sequence[Sequence[Cell]], index: int, rows: list[int], impr: set[str], clicks: set[str]
) -> Candidate:
    names = [normalise(cell) for cell in grid[index]]
    columns = frozenset(matching(names, impr) + matching(names, clicks))
    if len(columns) != 2:
        return Candidate(index, columns, 0, index)
    below = [r for r in rows if r > index and columns & _named_columns(grid[r], impr, clicks)]
    end = below[0] if below else len(grid)
    first, second = sorted(columns)
    numeric = [
        r
        for r, row in enumerate(islice(grid, index + 1, end), start=index + 1)
        if _numeric(_cell(row, first)) and _numeric(_cell(row, second))
    ]
    return Candidate(index, columns, len(numeric), numeric[-1] if numeric else index)


def _named_columns(row: Sequence[Cell], impr: set[str], clicks: set[str]) -> frozenset[int]:
    names = [normalise(cell) for cell in row]
    return frozenset(matching(names, impr) + matching(names, clicks))


def _refuse_side_by_side(grid: Sequence[Sequence[Cell]], candidates: list[Candidate]) -> None:
    for a, b in ((a, b) for i, a in enumerate(candidates) for b in candidates[i + 1 :]):
        if a.fits and b.fits and a.beside(b):
            raise SheetLayoutError(
                f"Two tables could be the campaign table: {_where(a)} and {_where(b)}. "
                f"Choose with --header-row {a.row + 1} or --header-row {b.row + 1} (and "
                "--impressions-col/--clicks-col if their headers share a row)."
            )


def _where(candidate: Candidate) -> str:
    letters = "+".join(column_letter(c) for c in sorted(candidate.columns))
    return f"rows {candidate.row + 1}-{candidate.last + 1} (columns {letters})"


def refuse_two_row_header(grid: Sequence[Sequence[Cell]], index: int, columns: list[int]) -> None:
    """Refuse a header spanning two rows: a name merged over sub-headers ("Impressions" over
    "Paid" | "Organic") would otherwise be read from its first sub-column alone."""
    header = grid[index]
    below = grid[index + 1] if index + 1 < len(grid) else []
    for col in columns:
        subs = [_cell(below, c) for c in (col, col + 1)]
        if _blank(_cell(header, col + 1)) and all(_label(s) for s in subs):
            raise SheetLayoutError(
                f"The header spans two rows: {str(header[col])!r} ({column_letter(col)}"
                f"{index + 1}) is over {subs[0]!r} and {subs[1]!r} (row {index + 2}), and the "
                "sync reads one header row. Give the table a one-row header (e.g. a column "
                f"with the total), or choose the row with --header-row ({index + 1} reads "
                f"{subs[0]!r} alone)."
            )


def share_message(
    grid: Sequence[Sequence[Cell]], wanted: set[str], what: str, rows: range | None = None
) -> str | None:
    """If a header in ``rows`` (default: the top rows) is a share of ``what``, say so."""
    for index in rows or range(min(len(grid), HEADER_SEARCH_ROWS)):
        for col, cell in enumerate(grid[index]):
            name = normalise(cell)
            if name not in wanted and _without_share(name) in wanted:
                return (
                    f"Column {column_letter(col)} ({str(cell)!r}, row {index + 1}) is a share "
                    f"or rate, not a count of {what}; name the column with the count with "
                    f"--{what}-col."
                )
    return None


def _without_share(name: str) -> str:
    for mark in _SHARE_MARKS:
        name = name.replace(mark, "")
    return name


def _numeric(value: Cell) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return True
    text = value.strip().replace(",", "").replace(".", "").replace(" ", "")
    return text.isdigit() or bool(re.fullmatch(r"\d+[kKmMbB]", text))


def _label(value: Cell) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not _numeric(value)


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(row: Sequence[Cell], col: int) -> Cell:
    return row[col] if col < len(row) else None
