"""A sheet's grid as weekly material: dated rows, or per-campaign running totals (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import date

from bot.weekly.report import FlaggedRow
from core.ctr import Counts
from core.errors import InputError
from core.weekly import DatedRow, check_day, parse_day
from sheets.api import Cell, Layout, normalise, row_counts

ALL_ROWS = "All rows"  # the campaign name when a sheet has no campaign column
# Columns naming the week a row belongs to: dates too, for the weekly summary.
WEEK_HEADERS = {"week", "weekof", "weekstarting", "weekstart", "weekbeginning", "weekcommencing"}


def weekly_layout(grid: Sequence[Sequence[Cell]], layout: Layout) -> Layout:
    """``layout``, with a Week / Week of / Week starting column as its date column when the
    sheet has no Date column and that column holds dates (not "W47" or "Week 3")."""
    if layout.date is not None:
        return layout
    names = [normalise(cell) for cell in grid[layout.header_row]]
    for col, name in enumerate(names):
        if name in WEEK_HEADERS and _holds_dates(grid, layout.header_row, col):
            return dataclasses.replace(layout, date=col)
    return layout


def _holds_dates(grid: Sequence[Sequence[Cell]], header_row: int, col: int) -> bool:
    cells = [row[col] for row in grid[header_row + 1 :] if col < len(row)]
    values = [
        cell
        for cell in cells
        if isinstance(cell, str | int | float) and not isinstance(cell, bool) and cell != ""
    ]
    try:
        for value in values[:20]:
            parse_day(value)
    except InputError:
        return False
    return bool(values)


def dated_rows(
    grid: Sequence[Sequence[Cell]], layout: Layout, *, today: date
) -> tuple[list[DatedRow], list[FlaggedRow]]:
    """Rows with a date: each a day of one campaign. Bad rows come back flagged, not counted,
    and so do rows dated after ``today`` or before 2000 (typos, never "the latest week")."""
    assert layout.date is not None
    rows: list[DatedRow] = []
    flagged: list[FlaggedRow] = []
    for index, row, counts in _counted_rows(grid, layout, flagged):
        try:
            day = check_day(parse_day(_text_or_number(row, layout.date)), today)
        except InputError as error:
            flagged.append(FlaggedRow(index + 1, error.problem))
            continue
        rows.append(DatedRow(day=day, campaign=_campaign(row, layout), counts=counts))
    return rows, flagged


def campaign_totals(
    grid: Sequence[Sequence[Cell]], layout: Layout
) -> tuple[dict[str, Counts], list[FlaggedRow]]:
    """Rows without dates: each campaign's running totals (summed if it spans rows)."""
    totals: dict[str, Counts] = {}
    flagged: list[FlaggedRow] = []
    for _, row, counts in _counted_rows(grid, layout, flagged):
        name = _campaign(row, layout)
        before = totals.get(name, Counts(0, 0))
        totals[name] = Counts(
            before.clicks + counts.clicks, before.impressions + counts.impressions
        )
    return totals, flagged


def _counted_rows(
    grid: Sequence[Sequence[Cell]], layout: Layout, flagged: list[FlaggedRow]
) -> Iterator[tuple[int, Sequence[Cell], Counts]]:
    """Data rows with valid counts, by the sync's own rules (so summaries and sheets agree);
    bad rows are appended to ``flagged``, blank rows skipped."""
    for index in range(layout.header_row + 1, len(grid)):
        row = grid[index]
        try:
            counts = row_counts(row, layout)
        except InputError as error:
            flagged.append(FlaggedRow(index + 1, error.problem))
            continue
        if counts is not None:
            yield index, row, counts


def _campaign(row: Sequence[Cell], layout: Layout) -> str:
    if layout.campaign is None or layout.campaign >= len(row):
        return ALL_ROWS
    return str(row[layout.campaign] or "").strip() or ALL_ROWS


def _text_or_number(row: Sequence[Cell], col: int) -> str | int | float:
    value = row[col] if col < len(row) else None
    if value is None or isinstance(value, bool):
        raise InputError("Date is missing.")
    return value
