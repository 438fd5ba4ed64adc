"""The batchUpdate requests a sync sends: pure functions from a plan's pieces to JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sheets.plan import Change, format_ctr
from sheets.port import cell_text

MAX_REQUEST_BYTES = 1_900_000  # under Google's 2 MB advice, with room for the envelope
PERCENT = {"type": "PERCENT", "pattern": "0.00%"}
# The tool's own key on the columns it owns (developer metadata on the column's dimension
# range): Google keeps it on the column whatever a person renames, moves or sorts.
MARKER_KEY = "ctr-bundle.column"


def a1_sheet(title: str) -> str:
    """A worksheet's title as an A1 range naming the whole sheet.

    >>> a1_sheet("Bob's tab")
    "'Bob''s tab'"
    """
    return "'" + title.replace("'", "''") + "'"


def append_columns(sheet_id: int, count: int) -> dict[str, Any]:
    return {"appendDimension": {"sheetId": sheet_id, "dimension": "COLUMNS", "length": count}}


def marker(sheet_id: int, col: int, kind: str) -> dict[str, Any]:
    return {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataKey": MARKER_KEY,
                "metadataValue": kind,
                "location": {
                    "dimensionRange": {
                        "sheetId": sheet_id,
                        "dimension": "COLUMNS",
                        "startIndex": col,
                        "endIndex": col + 1,
                    }
                },
                "visibility": "DOCUMENT",
            }
        }
    }


def runs(changes: list[Change]) -> Iterator[list[Change]]:
    """Changes grouped into runs of consecutive rows in one column: one paste each."""
    ordered = sorted(changes, key=lambda c: (c.col, c.row))
    for _, column in groupby(ordered, key=lambda c: c.col):
        run: list[Change] = []
        for change in column:
            if run and change.row != run[-1].row + 1:
                yield run
                run = []
            run.append(change)
        if run:
            yield run


def paste(sheet_id: int, run: list[Change]) -> dict[str, Any]:
    # pasteData carries one text value per line: ~16 bytes a CTR, against ~60 for updateCells,
    # which keeps a 100k-row first sync in one request under 2 MB.
    return {
        "pasteData": {
            "coordinate": {"sheetId": sheet_id, "rowIndex": run[0].row, "columnIndex": run[0].col},
            "data": "\n".join(cell_text(change.value) for change in run),
            "type": "PASTE_VALUES",
            "delimiter": "\t",
        }
    }


def update_cells(
    sheet_id: int, run: list[Change], limit: int = MAX_REQUEST_BYTES
) -> Iterator[dict[str, Any]]:
    """One run as ``updateCells`` at exact addresses, split so each request stays under
    ``limit``: a paste skips the rows a basic filter hides, this writes them too. Values are
    typed as a paste of ``cell_text`` would type them (~60 bytes a CTR, against ~16 pasted)."""
    start, size = run[0].row, 0
    rows: list[dict[str, Any]] = []
    for change in run:
        row = {"values": [_cell_data(change.value)]}
        length = len(json.dumps(row)) + 2  # and the ", " before it
        if rows and size + length > limit - 300:  # room for the request's own fields
            yield _update_cells(sheet_id, start, run[0].col, rows)
            start, rows, size = change.row, [], 0
        rows.append(row)
        size += length
    yield _update_cells(sheet_id, start, run[0].col, rows)


def _update_cells(sheet_id: int, row: int, col: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": col},
            "rows": rows,
            "fields": "userEnteredValue",
        }
    }


def _cell_data(value: float | str | None) -> dict[str, Any]:
    """A planned value as CellData: the CTR rounded as it would be pasted, text as the text
    pasted; nothing (a cleared cell) for None or blank text."""
    if isinstance(value, float):
        return {"userEnteredValue": {"numberValue": float(format_ctr(value))}}
    text = cell_text(value)
    return {"userEnteredValue": {"stringValue": text}} if text else {}


def percent_format(sheet_id: int, first_row: int, end_row: int, col: int) -> dict[str, Any]:
    grid = {
        "sheetId": sheet_id,
        "startRowIndex": first_row,
        "endRowIndex": end_row,
        "startColumnIndex": col,
        "endColumnIndex": col + 1,
    }
    return {
        "repeatCell": {
            "range": grid,
            "cell": {"userEnteredFormat": {"numberFormat": PERCENT}},
            "fields": "userEnteredFormat.numberFormat",
        }
    }


def consecutive(rows: list[int]) -> Iterator[list[int]]:
    run: list[int] = []
    for row in rows:
        if run and row != run[-1] + 1:
            yield run
            run = []
        run.append(row)
    if run:
        yield run


def chunks(requests: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Split a batch so each request body stays under MAX_REQUEST_BYTES."""
    batch: list[dict[str, Any]] = []
    size = 0
    for request in requests:
        length = len(json.dumps(request))
        if batch and size + length > MAX_REQUEST_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(request)
        size += length
    if batch:
        yield batch
