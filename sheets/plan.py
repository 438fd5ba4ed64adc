"""The pure heart of a sync: from the cells as read, the owned cells as they should be.

No I/O here: backends read a grid, this computes what to change, backends write it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.counts import parse_count
from core.ctr import Counts
from core.errors import InputError
from sheets.headers import CTR_HEADER, STATUS_HEADER, Cell, Layout

# CTRs are written with 12 significant digits (compact requests); equal within that is equal.
CTR_DIGITS = 12
_SAME = 1e-11


@dataclass(frozen=True, slots=True)
class Change:
    """Set the owned cell at (row, col), 0-based, to ``value`` (None clears it)."""

    row: int
    col: int
    value: float | str | None


@dataclass(frozen=True, slots=True)
class Flagged:
    """A data row the sync could not compute: its 1-based sheet row and the reason shown."""

    row: int
    reason: str


@dataclass(frozen=True, slots=True)
class Plan:
    layout: Layout
    changes: list[Change] = field(default_factory=list)
    flagged: list[Flagged] = field(default_factory=list)
    computed: int = 0  # data rows with a CTR
    columns_to_add: int = 0

    @property
    def is_noop(self) -> bool:
        return not self.changes and not self.columns_to_add


def row_counts(row: Sequence[Cell], layout: Layout) -> Counts | None:
    """A data row's counts; None for a blank row; InputError saying what is wrong otherwise."""
    impressions, clicks = _cell(row, layout.impressions), _cell(row, layout.clicks)
    if _blank(impressions) and _blank(clicks):
        return None
    counts = Counts(
        clicks=parse_count(_number_or_text(clicks, "clicks"), "clicks"),
        impressions=parse_count(_number_or_text(impressions, "impressions"), "impressions"),
    )
    counts.rate  # noqa: B018 - raises InputError on 0 impressions: no CTR to show
    return counts


def desired_row(row: Sequence[Cell], layout: Layout) -> tuple[float | None, str]:
    """(CTR or None, status) for one data row; a blank row wants blank cells."""
    try:
        counts = row_counts(row, layout)
    except InputError as error:
        return None, error.problem
    return (None, "") if counts is None else (float(counts.rate), "")


def plan(grid: Sequence[Sequence[Cell]], layout: Layout, column_count: int) -> Plan:
    """Every owned cell whose value should change, the rows flagged, and grid growth."""
    result = Plan(layout=layout, columns_to_add=max(0, layout.width - column_count))
    header = grid[layout.header_row] if layout.header_row < len(grid) else []
    for col, title in ((layout.ctr, CTR_HEADER), (layout.status, STATUS_HEADER)):
        if not _same(_cell(header, col), title):
            result.changes.append(Change(layout.header_row, col, title))
    computed = 0
    for index in range(layout.header_row + 1, len(grid)):
        row = grid[index]
        ctr, status = desired_row(row, layout)
        computed += ctr is not None
        if status:
            result.flagged.append(Flagged(row=index + 1, reason=status))
        if not _same(_cell(row, layout.ctr), ctr):
            result.changes.append(Change(index, layout.ctr, ctr))
        if not _same(_cell(row, layout.status), status or None):
            result.changes.append(Change(index, layout.status, status or None))
    return Plan(result.layout, result.changes, result.flagged, computed, result.columns_to_add)


def format_ctr(value: float) -> str:
    """The CTR as written: compact, and exact to the 12 digits compared on the next sync."""
    return f"{value:.{CTR_DIGITS}g}"


def _same(current: Cell, wanted: float | str | None) -> bool:
    if wanted is None or wanted == "":
        return _blank(current)
    if isinstance(wanted, float):
        number = _as_number(current)
        return number is not None and math.isclose(number, wanted, rel_tol=_SAME, abs_tol=0.0)
    return current == wanted


def _as_number(value: Cell) -> float | None:
    """A cell's number; CSV cells are text, so "0.004" counts as the number it spells."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value.strip())
    except ValueError:
        return None


def _cell(row: Sequence[Cell], col: int) -> Cell:
    return row[col] if col < len(row) else None


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number_or_text(value: Cell, what: str) -> str | int | float:
    if value is None:
        raise InputError(f"{what.capitalize()} is missing.")
    if isinstance(value, bool):
        raise InputError(f"{what.capitalize()} must be a number, not {value}.")
    return value
