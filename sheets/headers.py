"""Find the campaign table (its header row and columns) and the columns the tool owns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.counts import POINT, Numerals
from sheets.errors import SheetLayoutError
from sheets.ownership import Evidence, column_letter, owned_columns
from sheets.tables import (
    HEADER_SEARCH_ROWS,
    matching,
    normalise,
    refuse_two_row_header,
    share_message,
)
from sheets.tables import (
    header_row as detected_header_row,
)

__all__ = ["CTR_HEADER", "STATUS_HEADER", "Cell", "Layout", "find_layout", "normalise"]

CTR_HEADER = "CTR"
STATUS_HEADER = "CTR status"

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
    numerals: Numerals = POINT  # how the sheet's locale writes numbers (1.234,5 in de_DE)


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
    if header_row is not None:
        index = _chosen_row(grid, header_row)
    else:
        found = detected_header_row(grid, wanted_impr, wanted_clicks)
        if found is None:
            raise SheetLayoutError(
                share_message(grid, wanted_impr, "impressions")
                or share_message(grid, wanted_clicks, "clicks")
                or _missing_message(grid, impressions_col, clicks_col)
            )
        index = found
    row = grid[index]
    names = [normalise(cell) for cell in row]
    impr = _one(grid, matching(names, wanted_impr), wanted_impr, "impressions", index)
    clicks = _one(grid, matching(names, wanted_clicks), wanted_clicks, "clicks", index)
    if header_row is None:
        refuse_two_row_header(grid, index, [impr, clicks])
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
        numerals=evidence.numerals,
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


def _one(
    grid: Sequence[Sequence[Cell]], columns: list[int], wanted: set[str], what: str, index: int
) -> int:
    row = grid[index]
    if not columns:
        share = share_message(grid, wanted, what, range(index, index + 1))
        if share:
            raise SheetLayoutError(share)
        raise SheetLayoutError(
            f"Row {index + 1} has no {what} column (headers: "
            f"{', '.join(repr(str(c)) for c in row if c not in (None, ''))}). "
            f"Pick one with --{what}-col."
        )
    if len(columns) > 1:
        found = ", ".join(f"{str(row[i])!r} ({column_letter(i)})" for i in columns)
        if len({normalise(row[i]) for i in columns}) < len(columns):
            # The same name twice (two tables side by side): a name can't pick one of them.
            raise SheetLayoutError(
                f"Several columns could be the {what}: {found}, two tables side by side? "
                "Rename the other table's headers (e.g. 'Total clicks'), or move it below "
                "the campaign table, then pick with --header-row or --"
                f"{what}-col."
            )
        raise SheetLayoutError(
            f"Several columns could be the {what}: {found}. Pick one with --{what}-col."
        )
    return columns[0]


def _first(names: list[str], wanted: set[str]) -> int | None:
    matches = matching(names, wanted)
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
