"""The pure heart of a sync: from the cells as read, the owned cells as they should be.

No I/O here: backends read a grid, this computes what to change, backends write it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice

from core import reasons
from core.counts import parse_count
from core.ctr import Counts
from core.errors import InputError
from sheets import written
from sheets.errors import SheetLayoutError
from sheets.headers import CTR_HEADER, STATUS_HEADER, Cell, Layout
from sheets.ownership import Evidence, Kind, column_letter, ownable
from sheets.tables import normalise
from sheets.written import NOT_OURS

format_ctr = written.format_ctr  # sheets/google_requests.py imports it from here
_SAME = 1e-11  # CTRs equal to 12 significant digits (as written) are equal


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


@dataclass(slots=True)
class Plan:
    layout: Layout
    changes: list[Change] = field(default_factory=list)
    flagged: list[Flagged] = field(default_factory=list)
    computed: int = 0  # data rows with a CTR
    columns_to_add: int = 0

    @property
    def is_noop(self) -> bool:
        return not self.changes and not self.columns_to_add

    @property
    def columns_to_mark(self) -> tuple[int, ...]:
        """Owned columns without the tool's marker yet: created or adopted by this plan."""
        return self.layout.new_columns + self.layout.adopted


def row_counts(row: Sequence[Cell], layout: Layout) -> Counts | None:
    """A data row's counts; None for a blank row; InputError saying what is wrong otherwise."""
    impressions, clicks = _cell(row, layout.impressions), _cell(row, layout.clicks)
    if _blank(impressions) and _blank(clicks):
        return None
    numerals = layout.numerals
    counts = Counts(
        clicks=parse_count(_number_or_text(clicks, "clicks"), "clicks", numerals),
        impressions=parse_count(
            _number_or_text(impressions, "impressions"), "impressions", numerals
        ),
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
    """Every owned cell whose value should change, the rows flagged and the grid's growth.

    Only cells the sync can prove are its own are ever planned: a cell of an owned column
    holding a formula or a person's text is left as it is and its row says why.
    """
    planner = _Planner(layout, evidence or Evidence.from_values(grid))
    header = grid[layout.header_row] if layout.header_row < len(grid) else []
    planner.header(header)
    rows = islice(grid, layout.header_row + 1, None)  # lazily: a CSV grid parses on demand
    for index, row in enumerate(rows, start=layout.header_row + 1):
        planner.row(index, row)
    return planner.result


@dataclass
class _Planner:
    layout: Layout
    evidence: Evidence
    result: Plan = field(init=False)
    names: tuple[str, str] = ("", "")  # the header's own words for the two counts

    def __post_init__(self) -> None:
        layout = self.layout
        to_add = max(0, layout.width - self.evidence.column_count)
        self.result = Plan(layout, columns_to_add=to_add)
        # Adopted and new columns were proven the tool's cell by cell when the layout was
        # found; only marked columns (found by their marker) need each cell checked here.
        proven = set(layout.adopted) | set(layout.new_columns)
        self.check = {
            layout.ctr: layout.ctr not in proven,
            layout.status: layout.status not in proven,
        }

    def header(self, header: Sequence[Cell]) -> None:
        self.names = (
            normalise(_cell(header, self.layout.impressions)),
            normalise(_cell(header, self.layout.clicks)),
        )
        for col, title in ((self.layout.ctr, CTR_HEADER), (self.layout.status, STATUS_HEADER)):
            if col in self.layout.new_columns and not _same(_cell(header, col), title):
                self.result.changes.append(Change(self.layout.header_row, col, title))

    def row(self, index: int, row: Sequence[Cell]) -> None:
        layout, result = self.layout, self.result
        ctr, status = desired_row(row, layout)
        if status and self._heads_a_table(row):
            raise SheetLayoutError(
                f"Row {index + 1} names the counts again, as row {layout.header_row + 1} does: "
                "another table (or a repeated header) under the campaign table, so where the "
                "campaign table ends is unclear. Move the other table to its own tab or delete "
                "the repeated header; nothing was written."
            )
        if not self._ours(Kind.CTR, index, layout.ctr, row, ctr):
            ctr, status = None, _not_ours("CTR", layout.ctr)
        else:
            result.computed += ctr is not None
            if not _same(_cell(row, layout.ctr), ctr):
                result.changes.append(Change(index, layout.ctr, ctr))
        if status:
            result.flagged.append(Flagged(row=index + 1, reason=status))
        if not self._ours(Kind.STATUS, index, layout.status, row, status or None):
            if not status:
                result.flagged.append(Flagged(index + 1, _not_ours("CTR status", layout.status)))
        elif not _same(_cell(row, layout.status), status or None):
            result.changes.append(Change(index, layout.status, status or None))

    def _heads_a_table(self, row: Sequence[Cell]) -> bool:
        """A row that names the counts in the table's own words is a header, never data: read
        as data it would be flagged, and the rows under it counted as this table's."""
        layout = self.layout
        found = (normalise(_cell(row, layout.impressions)), normalise(_cell(row, layout.clicks)))
        return all(found) and found == self.names

    def _ours(
        self, kind: Kind, index: int, col: int, row: Sequence[Cell], wanted: float | str | None
    ) -> bool:
        if not self.check[col]:
            return True
        value, formula = _cell(row, col), (index, col) in self.evidence.formulas
        if wanted is not None and not formula and _same(value, wanted):
            return True  # exactly what the tool would write now (the common, no-op case)
        return ownable(kind, value, formula)


def _not_ours(what: str, col: int) -> str:
    return NOT_OURS(what=what, letter=column_letter(col))


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
        raise InputError(reasons.MISSING(what=what))
    if isinstance(value, bool):
        raise InputError(reasons.NOT_A_NUMBER(what=what, value=value))
    return value
