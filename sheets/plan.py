"""The pure heart of a sync: from the cells as read, the owned cells as they should be.

No I/O here: backends read a grid, this computes what to change, backends write it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice

from core.counts import parse_count
from core.ctr import Counts
from core.errors import InputError
from sheets.headers import CTR_HEADER, STATUS_HEADER, Cell, Layout
from sheets.ownership import Evidence, Kind, column_letter, ownable

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
    formats: list[int] = field(default_factory=list)  # rows whose CTR cell gets the % format

    @property
    def is_noop(self) -> bool:
        return not self.changes and not self.columns_to_add and not self.formats

    @property
    def columns_to_mark(self) -> tuple[int, ...]:
        """Owned columns without the tool's marker yet: created or adopted by this plan."""
        return self.layout.new_columns + self.layout.adopted


def row_counts(row: Sequence[Cell], layout: Layout) -> Counts | None:
    """A data row's counts; None for a blank row; InputError saying what is wrong otherwise."""
    impressions, clicks = _cell(row, layout.impressions), _cell(row, layout.clicks)
    if _blank(impressions) and _blank(clicks):
        return None
    mark = layout.decimal_mark
    counts = Counts(
        clicks=parse_count(_number_or_text(clicks, "clicks"), "clicks", mark),
        impressions=parse_count(_number_or_text(impressions, "impressions"), "impressions", mark),
    )
    if counts.impressions == 0:
        counts.rate  # noqa: B018 - raises the InputError saying the CTR is undefined
    return counts


def desired_row(row: Sequence[Cell], layout: Layout) -> tuple[float | None, str]:
    """(CTR or None, status) for one data row; a blank row wants blank cells."""
    try:
        counts = row_counts(row, layout)
    except InputError as error:
        return None, error.problem
    if counts is None:
        return None, ""
    # int / int is correctly rounded in Python: the same float as float(Fraction), far cheaper.
    return counts.clicks / counts.impressions, ""


def plan(grid: Sequence[Sequence[Cell]], layout: Layout, evidence: Evidence | None = None) -> Plan:
    """Every owned cell whose value should change, the rows flagged, grid growth and formats.

    Only cells the sync can prove are its own are ever planned: a cell of an owned column
    holding a formula or a person's text is left as it is and its row says why.
    """
    evidence = evidence or Evidence.from_values(grid)
    changes: list[Change] = []
    flagged: list[Flagged] = []
    formats: list[int] = []
    header = grid[layout.header_row] if layout.header_row < len(grid) else []
    for col, title in ((layout.ctr, CTR_HEADER), (layout.status, STATUS_HEADER)):
        if col in layout.new_columns and not _same(_cell(header, col), title):
            changes.append(Change(layout.header_row, col, title))
    computed = 0
    formulas = evidence.formulas
    # Adopted and new columns were proven the tool's cell by cell when the layout was found;
    # only marked columns (found by their marker) need each cell checked here.
    proven = set(layout.adopted) | set(layout.new_columns)
    check_ctr, check_status = layout.ctr not in proven, layout.status not in proven
    rows = islice(grid, layout.header_row + 1, None)  # lazily: a CSV grid parses on demand
    for index, row in enumerate(rows, start=layout.header_row + 1):
        ctr, status = desired_row(row, layout)
        current_ctr, current_status = _cell(row, layout.ctr), _cell(row, layout.status)
        if check_ctr and not ownable(Kind.CTR, current_ctr, (index, layout.ctr) in formulas):
            ctr, status = None, _NOT_OURS.format(what="CTR", letter=column_letter(layout.ctr))
        else:
            computed += ctr is not None
            if not _same(current_ctr, ctr):
                changes.append(Change(index, layout.ctr, ctr))
            if ctr is not None and _needs_format(evidence, index, layout.ctr):
                formats.append(index)
        if status:
            flagged.append(Flagged(row=index + 1, reason=status))
        if check_status and not ownable(
            Kind.STATUS, current_status, (index, layout.status) in formulas
        ):
            if not status:
                letter = column_letter(layout.status)
                flagged.append(
                    Flagged(index + 1, _NOT_OURS.format(what="CTR status", letter=letter))
                )
        elif not _same(current_status, status or None):
            changes.append(Change(index, layout.status, status or None))
    return Plan(
        layout,
        changes,
        flagged,
        computed,
        columns_to_add=max(0, layout.width - evidence.column_count),
        formats=formats,
    )


_NOT_OURS = (
    "{what} cell ({letter}) holds a formula or text the sync didn't write: left as it is. "
    "Clear it to let the sync fill it in."
)


def _needs_format(evidence: Evidence, row: int, col: int) -> bool:
    return evidence.formatted is not None and (row, col) not in evidence.formatted


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
