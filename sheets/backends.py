"""Where sheets live: Google Sheets (gspread) or a local CSV file, behind one small port."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any, Protocol

from sheets.client import ResilientHTTPClient
from sheets.errors import SheetAccessError
from sheets.headers import Cell
from sheets.plan import Change, Plan, format_ctr

Grid = list[list[Cell]]
MAX_REQUEST_BYTES = 1_900_000  # under Google's 2 MB advice, with room for the envelope
PERCENT = {"type": "PERCENT", "pattern": "0.00%"}


class SheetBackend(Protocol):
    def describe(self) -> str: ...

    def read(self) -> tuple[Grid, int]:
        """(rows of cell values, the grid's column count)."""
        ...

    def write(self, plan: Plan) -> None: ...


@dataclass
class GoogleSheet:
    """One worksheet: metadata read once, values read unformatted, owned columns written."""

    client: ResilientHTTPClient
    key: str
    gid: int | None = None
    worksheet: str | None = None
    _props: dict[str, Any] | None = field(default=None, repr=False)

    def describe(self) -> str:
        return f"{self._properties()['title']} ({self.key})"

    def read(self) -> tuple[Grid, int]:
        props = self._properties()
        params: dict[str, str | int | bool | float | list[str] | None] = {
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER",
            "majorDimension": "ROWS",
        }
        data = self.client.values_batch_get(self.key, [_a1_sheet(props["title"])], params=params)
        rows: Grid = data["valueRanges"][0].get("values", [])
        return rows, int(props["gridProperties"]["columnCount"])

    def write(self, plan: Plan) -> None:
        props = self._properties()
        for body in _chunks(self._requests(plan, props)):
            self.client.batch_update(self.key, {"requests": body})
        props["gridProperties"]["columnCount"] += plan.columns_to_add

    def _requests(self, plan: Plan, props: dict[str, Any]) -> list[dict[str, Any]]:
        sheet_id = props["sheetId"]
        requests: list[dict[str, Any]] = []
        if plan.columns_to_add:
            requests.append(
                {
                    "appendDimension": {
                        "sheetId": sheet_id,
                        "dimension": "COLUMNS",
                        "length": plan.columns_to_add,
                    }
                }
            )
        requests += [_paste(sheet_id, run) for run in _runs(plan.changes)]
        layout = plan.layout
        if any(c.row == layout.header_row and c.col == layout.ctr for c in plan.changes):
            # A new CTR column: show fractions as percents (a person may change it later).
            rows = int(props["gridProperties"]["rowCount"])
            requests.append(_percent_format(sheet_id, layout.header_row + 1, rows, layout.ctr))
        return requests

    def _properties(self) -> dict[str, Any]:
        if self._props is None:
            meta = self.client.fetch_sheet_metadata(
                self.key, params={"fields": "sheets.properties"}
            )
            self._props = _pick(meta.get("sheets", []), self.gid, self.worksheet, self.key)
        return self._props


def _pick(
    sheets: list[dict[str, Any]], gid: int | None, name: str | None, key: str
) -> dict[str, Any]:
    props: list[dict[str, Any]] = [sheet["properties"] for sheet in sheets]
    for prop in props:
        if (gid is not None and prop["sheetId"] == gid) or (
            name is not None and prop["title"] == name
        ):
            return prop
    if gid is None and name is None and props:
        return props[0]
    wanted = f"worksheet {name!r}" if name else f"gid={gid}"
    titles = ", ".join(repr(p["title"]) for p in props)
    raise SheetAccessError(f"Spreadsheet {key} has no {wanted} (worksheets: {titles}).")


def _a1_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _runs(changes: list[Change]) -> Iterator[list[Change]]:
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


def _paste(sheet_id: int, run: list[Change]) -> dict[str, Any]:
    # pasteData carries one text value per line: ~16 bytes a CTR, against ~60 for updateCells,
    # which keeps a 100k-row first sync in one request under 2 MB.
    return {
        "pasteData": {
            "coordinate": {"sheetId": sheet_id, "rowIndex": run[0].row, "columnIndex": run[0].col},
            "data": "\n".join(_text(change.value) for change in run),
            "type": "PASTE_VALUES",
            "delimiter": "\t",
        }
    }


def _text(value: float | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format_ctr(value)
    return " ".join(value.split())  # no tab or newline may split a pasted cell


def _percent_format(sheet_id: int, first_row: int, rows: int, col: int) -> dict[str, Any]:
    grid = {
        "sheetId": sheet_id,
        "startRowIndex": first_row,
        "endRowIndex": max(rows, first_row + 1),
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


def _chunks(requests: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
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


@dataclass
class CsvSheet:
    """A local CSV file, the offline twin of a worksheet; written atomically."""

    path: Path
    _rows: Grid = field(default_factory=list, repr=False)

    def describe(self) -> str:
        return str(self.path)

    def read(self) -> tuple[Grid, int]:
        text = self.path.read_text(encoding="utf-8-sig")
        self._rows = [
            [cell if cell != "" else None for cell in row] for row in csv.reader(io.StringIO(text))
        ]
        return self._rows, max((len(row) for row in self._rows), default=0)

    def write(self, plan: Plan) -> None:
        rows = [list(row) + [None] * (plan.layout.width - len(row)) for row in self._rows]
        for change in plan.changes:
            rows[change.row][change.col] = _text(change.value) or None
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(
            ["" if cell is None else cell for cell in row] for row in rows
        )
        _replace_atomically(self.path, buffer.getvalue())
        self._rows = rows


def _replace_atomically(target: Path, text: str) -> None:
    """Write beside the target, then rename over it: readers see the old or the new file."""
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
