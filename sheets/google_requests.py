"""The batchUpdate requests a sync sends: pure functions from a plan's pieces to JSON."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sheets.plan import Change, format_ctr
from sheets.port import cell_text

# One write request's body at most. Google sets no hard size for a request ("we recommend a
# 2 MB maximum payload" to speed it up: developers.google.com/sheets/api/limits), though
# proxies in front refuse over 10 MiB ("Request payload size exceeds the limit: 10485760
# bytes"). Typed values (~60 bytes a CTR) keep a 100k-row first sync to one write only with
# this bound, and the call budget (4 calls) is what the quota counts.
MAX_REQUEST_BYTES = 8_000_000
PERCENT = {"type": "PERCENT", "pattern": "0.00%"}
# The tool's own key on the columns it owns (developer metadata on the column's dimension
# range): Google keeps it on the column whatever a person renames, moves or sorts.
MARKER_KEY = "ctr-bundle.column"
Sized = tuple[dict[str, Any], int]  # a request and the length of its JSON (an upper bound)


def a1_sheet(title: str) -> str:
    """A worksheet's title as an A1 range naming the whole sheet.

    >>> a1_sheet("Bob's tab")
    "'Bob''s tab'"
    """
    return "'" + title.replace("'", "''") + "'"


def append_columns(sheet_id: int, count: int) -> dict[str, Any]:
    return {"appendDimension": {"sheetId": sheet_id, "dimension": "COLUMNS", "length": count}}


def marker_id(sheet_id: int, kind: str) -> int:
    """The fixed id of the tool's marker of ``kind`` on worksheet ``sheet_id``.

    A metadataId is unique in a spreadsheet and may be chosen when created, so a second
    create of the same id fails, and with it its whole (atomic) batchUpdate: of two syncs
    placing columns at once, one wins and the other reads again and finds the winner's. The
    id is free again once its column is deleted (the metadata goes with it). Positive int32.

    >>> marker_id(0, "ctr") == marker_id(0, "ctr") != marker_id(0, "status")
    True
    """
    digest = hashlib.sha256(f"{MARKER_KEY}:{sheet_id}:{kind}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % (2**31 - 2) + 1


def marker(sheet_id: int, col: int, kind: str) -> dict[str, Any]:
    return {
        "createDeveloperMetadata": {
            "developerMetadata": {
                "metadataId": marker_id(sheet_id, kind),
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


def update_cells(
    sheet_id: int, run: list[Change], limit: int = MAX_REQUEST_BYTES
) -> Iterator[Sized]:
    """One run as ``updateCells`` at exact addresses, split so each request stays under
    ``limit``, each with its size. Values go in typed, never as text for the sheet to parse: a
    CTR as a ``numberValue`` (pasted "0.004" is text in a decimal-comma locale), a status as
    a ``stringValue``. Exact addresses also reach the rows a basic filter hides, which a
    paste skips. ~60 bytes a CTR."""
    start, size = run[0].row, 0
    rows: list[dict[str, Any]] = []
    for change in run:
        cell = _cell_data(change.value)
        number = cell.get("userEnteredValue", {}).get("numberValue")
        # json.dumps of each row would cost more than the rest of the sync: count instead
        length = (
            _NUMBER_ROW + len(repr(number))
            if number is not None
            else len(json.dumps({"values": [cell]}))
        ) + 2  # and the ", " before it
        if rows and size + length > limit - 300:  # room for the request's own fields
            yield _update_cells(sheet_id, start, run[0].col, rows), size + 300
            start, rows, size = change.row, [], 0
        rows.append({"values": [cell]})
        size += length
    yield _update_cells(sheet_id, start, run[0].col, rows), size + 300


_NUMBER_ROW = len(json.dumps({"values": [{"userEnteredValue": {"numberValue": None}}]})) - 4


def sized(request: dict[str, Any]) -> Sized:
    return request, len(json.dumps(request))


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


def chunks(requests: list[Sized]) -> Iterator[list[dict[str, Any]]]:
    """Split a batch so each request body stays under MAX_REQUEST_BYTES, in order."""
    batch: list[dict[str, Any]] = []
    size = 0
    for request, length in requests:
        if batch and size + length > MAX_REQUEST_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(request)
        size += length
    if batch:
        yield batch
