"""The port every sheet backend fills: read cells (and what else it knows), write a plan."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from sheets.headers import Cell
from sheets.ownership import Evidence
from sheets.plan import Plan
from sheets.written import format_ctr

Grid = list[list[Cell]]


class SheetRead(NamedTuple):
    grid: Sequence[Sequence[Cell]]
    evidence: Evidence


class SheetBackend(Protocol):
    def describe(self) -> str: ...

    def read(self) -> SheetRead:
        """The cells' values and what else the backend knows (formulas, notes, markers)."""
        ...

    def write(self, plan: Plan) -> None: ...

    def written(self, plan: Plan) -> bool:
        """After ``write(plan)``: does the sheet hold what was planned? False when people
        moved rows meanwhile, so the sync reads and plans again."""
        ...


def cell_text(value: float | str | None) -> str:
    """A planned value as the text written into a cell (a pasted one, or a CSV field)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return format_ctr(value)
    return " ".join(value.split())  # no tab or newline may split a pasted cell
