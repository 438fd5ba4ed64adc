"""Which columns and cells the sync may write: only those it can prove are its own.

A column is the tool's when the backend found the tool's marker on it (Google developer
metadata), or when it is headed exactly ``CTR`` / ``CTR status`` and every cell under the header
is exactly what the tool writes there (sheets/written.py: a CTR as it formats one; one of its
own status messages, whole). Anything else, look-alike names included, belongs to people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice

from core.counts import POINT, Numerals
from sheets.errors import SheetLayoutError
from sheets.written import is_own_ctr, is_own_status

Cell = str | int | float | bool | None


class Kind(StrEnum):
    CTR = "ctr"
    STATUS = "status"


@dataclass(frozen=True, slots=True)
class Marked:
    """Columns carrying the tool's marker, as found on this read (None: no marker)."""

    ctr: int | None = None
    status: int | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a backend knows about a sheet beyond its values."""

    column_count: int  # the grid's columns (a CSV: its widest record)
    # 1 + the last column holding anything (value, formula, note) in any row; None: work it
    # out from the values only if a new column must be placed (a pass over a big CSV saved)
    used_width: int | None
    formulas: frozenset[tuple[int, int]] = frozenset()  # (row, col) of cells holding formulas
    marked: Marked = Marked()
    numerals: Numerals = POINT  # how the sheet's locale writes numbers

    @classmethod
    def from_values(cls, grid: Sequence[Sequence[Cell]], **known: object) -> Evidence:
        """Evidence from values alone (a CSV file, or cells handed over by a caller)."""
        used = max((_last_used(row) for row in grid), default=0)
        width = max((len(row) for row in grid), default=0)
        return cls(column_count=width, used_width=used, **known)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Owned:
    ctr: int
    status: int
    new: tuple[int, ...]  # created by this sync
    adopted: tuple[int, ...]  # unmarked, proven the tool's by their cells


def owned_columns(
    grid: Sequence[Sequence[Cell]],
    header_row: int,
    evidence: Evidence,
    ctr_header: str,
    status_header: str,
) -> Owned:
    """The CTR and status columns: marked, adopted, or new right of everything in the grid."""
    found: dict[Kind, int | None] = {}
    adopted: list[int] = []
    for kind, title, marked in (
        (Kind.CTR, ctr_header, evidence.marked.ctr),
        (Kind.STATUS, status_header, evidence.marked.status),
    ):
        if marked is not None:
            found[kind] = marked
            continue
        column = _adoptable(grid, header_row, evidence, kind, title)
        found[kind] = column
        if column is not None:
            adopted.append(column)
    taken = [c for c in found.values() if c is not None]
    new: list[int] = []
    next_free = 0
    if None in found.values():
        used = evidence.used_width
        used = max((_last_used(row) for row in grid), default=0) if used is None else used
        next_free = max([used, *(c + 1 for c in taken)])
    for kind in (Kind.CTR, Kind.STATUS):
        if found[kind] is None:
            found[kind] = next_free
            new.append(next_free)
            next_free += 1
    ctr, status = found[Kind.CTR], found[Kind.STATUS]
    assert ctr is not None
    assert status is not None
    return Owned(ctr, status, tuple(new), tuple(adopted))


def _adoptable(
    grid: Sequence[Sequence[Cell]],
    header_row: int,
    evidence: Evidence,
    kind: Kind,
    title: str,
) -> int | None:
    named = [
        col
        for col, cell in enumerate(grid[header_row])
        if isinstance(cell, str) and cell.strip() == title
    ]
    ours = [
        col
        for col in named
        if (header_row, col) not in evidence.formulas
        and all(
            ownable(kind, _cell(row, col), (index, col) in evidence.formulas)
            # islice, not a slice: a lazy CSV grid would build every row at once
            for index, row in enumerate(islice(grid, header_row + 1, None), start=header_row + 1)
        )
    ]
    if len(ours) > 1:
        raise SheetLayoutError(
            f"Several columns are headed {title!r} and could be the sync's own; "
            f"rename or delete all but one."
        )
    return ours[0] if ours else None


def ownable(kind: Kind, value: Cell, formula: bool) -> bool:
    """May the sync overwrite this cell of its own column? Only if empty, or if it holds
    exactly what the tool writes there (sheets/written.py); never a formula."""
    if formula:
        return False
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    if kind is Kind.CTR:
        return is_own_ctr(value)
    return isinstance(value, str) and is_own_status(value)


def _cell(row: Sequence[Cell], col: int) -> Cell:
    return row[col] if col < len(row) else None


def _last_used(row: Sequence[Cell]) -> int:
    for index in range(len(row) - 1, -1, -1):
        value = row[index]
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return index + 1
    return 0


def column_letter(col: int) -> str:
    """0 → "A", 27 → "AB": a 0-based column as a person sees it.

    >>> column_letter(27)
    'AB'
    """
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
