"""What a Google read proves beyond values: formulas, the tool's column markers, and how far
right anything a person set reaches (the used width new columns go right of)."""

from __future__ import annotations

from typing import Any

from sheets import google_requests as requests
from sheets.headers import Cell
from sheets.locales import numerals
from sheets.ownership import Evidence, Marked
from sheets.port import Grid

MARKER_KEY = requests.MARKER_KEY


def evidence(sheet: dict[str, Any], values: Grid, locale: str) -> Evidence:
    """Formulas, how far right anything a person set reaches, and the tool's markers, from
    the sparse grid data and sheet fields the field mask asked for."""
    data = (sheet.get("data") or [{}])[0]
    formulas: set[tuple[int, int]] = set()
    for r, row_data in enumerate(data.get("rowData", ())):
        for c, cell in enumerate(row_data.get("values", ())):
            if "formulaValue" in cell.get("userEnteredValue", {}):
                formulas.add((r, c))
    marked: dict[str, int | None] = {"ctr": None, "status": None}
    for col, column in enumerate(data.get("columnMetadata", ())):
        for meta in column.get("developerMetadata", ()):
            if meta.get("metadataKey") == MARKER_KEY and meta.get("metadataValue") in marked:
                marked[meta["metadataValue"]] = col
    return Evidence(
        column_count=int(sheet["properties"]["gridProperties"]["columnCount"]),
        used_width=used_width(sheet, values),
        formulas=frozenset(formulas),
        marked=Marked(ctr=marked["ctr"], status=marked["status"]),
        numerals=numerals(locale),
    )


def used_width(sheet: dict[str, Any], values: Grid) -> int:
    """1 + the last column a person set anything in, in any row: a value, formula, note,
    format, dropdown, a merge, a hidden column, a protected range or a conditional format (a
    range without column bounds reaches the grid's edge). New columns go right of it, so they
    never start out holding a person's format or rule."""
    width = int(sheet["properties"]["gridProperties"]["columnCount"])
    data = (sheet.get("data") or [{}])[0]
    used = max((last_used(row) for row in values), default=0)
    for row_data in data.get("rowData", ()):
        cells = row_data.get("values", ())
        for c in range(len(cells) - 1, used - 1, -1):
            if len(cells[c]) > ("effectiveValue" in cells[c]):  # set: more than a value
                used = c + 1
                break
    for col, column in enumerate(data.get("columnMetadata", ())):
        if column.get("hiddenByUser"):
            used = max(used, col + 1)
    ranges = [
        *sheet.get("merges", ()),
        *(p.get("range", {}) for p in sheet.get("protectedRanges", ())),
        *(g for rule in sheet.get("conditionalFormats", ()) for g in rule.get("ranges", ())),
    ]
    for grid in ranges:
        used = max(used, min(width, int(grid.get("endColumnIndex", width))))
    return used


def _own_marker_ids(sheet: dict[str, Any]) -> set[int]:
    data = (sheet.get("data") or [{}])[0]
    return {
        int(meta.get("metadataId", 0))
        for column in data.get("columnMetadata", ())
        for meta in column.get("developerMetadata", ())
        if meta.get("metadataKey") == MARKER_KEY
    }


def _fixed_ids(sheet: dict[str, Any]) -> set[int]:
    sheet_id = int(sheet["properties"]["sheetId"])
    return {requests.marker_id(sheet_id, kind) for kind in ("ctr", "status")}


def holds_fixed_markers(sheet: dict[str, Any]) -> bool:
    """Does the worksheet carry a marker of the tool's with one of its fixed ids (one that
    a sync created since the fixed ids, racing or not)?"""
    return bool(_own_marker_ids(sheet) & _fixed_ids(sheet))


def last_used(row: list[Cell]) -> int:
    end = len(row)
    while end and (row[end - 1] is None or row[end - 1] == ""):
        end -= 1
    return end
