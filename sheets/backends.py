"""Where sheets live: Google Sheets (gspread) or a local CSV file, behind one small port."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from core.counts import DecimalMark
from sheets.client import ResilientHTTPClient
from sheets.csvfile import ByColumn, CsvFile
from sheets.errors import SheetAccessError
from sheets.headers import Cell
from sheets.ownership import Evidence, Marked, column_letter
from sheets.plan import Change, Plan, format_ctr
from sheets.plan import plan as plan_cells

Grid = list[list[Cell]]
MAX_REQUEST_BYTES = 1_900_000  # under Google's 2 MB advice, with room for the envelope
PERCENT = {"type": "PERCENT", "pattern": "0.00%"}
# The tool's own key on the columns it owns (developer metadata on the column's dimension
# range): Google keeps it on the column whatever a person renames, moves or sorts.
MARKER_KEY = "ctr-bundle.column"
# Language codes whose locales write 1.234,5: dots there group thousands.
DECIMAL_COMMA_LANGUAGES = frozenset(
    (  # noqa: SIM905 - a word list reads better as words than as 47 quoted lines
        "af az be bg bs ca cs da de el es et eu fi fo fr gl hr hu hy id is it ka kk ky lt lv mk "
        "mn nb nl nn no pl pt ro ru sk sl sq sr sv tr uk uz vi"
    ).split()
)
_READ_FIELDS = (
    "sheets(properties(sheetId,title,gridProperties),"
    "data(columnMetadata(developerMetadata(metadataId,metadataKey,metadataValue)),"
    "rowData(values(effectiveValue,userEnteredValue.formulaValue,note,"
    "userEnteredFormat.numberFormat))))"
)


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


@dataclass
class GoogleSheet:
    """One worksheet: values, formulas, notes and the tool's markers in one read; owned cells
    written in one batch that also marks the columns it creates or adopts."""

    client: ResilientHTTPClient
    key: str
    gid: int | None = None
    worksheet: str | None = None
    _props: dict[str, Any] | None = field(default=None, repr=False)
    _locale: str = field(default="", repr=False)
    _last: SheetRead | None = field(default=None, repr=False)

    def describe(self) -> str:
        return f"{self._properties()['title']} ({self.key})"

    def read(self) -> SheetRead:
        props = self._properties()
        params: dict[str, str | int | bool | float | list[str] | None] = {
            "ranges": _a1_sheet(props["title"]),
            "fields": _READ_FIELDS,
        }
        meta = self.client.fetch_sheet_metadata(self.key, params=params)
        sheet = meta["sheets"][0]
        props["gridProperties"] = sheet["properties"]["gridProperties"]
        self._last = _sheet_read(sheet, decimal_mark(self._locale))
        return self._last

    def written(self, plan: Plan) -> bool:
        """Re-read only the four columns that matter, as compact values (a 100k-row sheet's
        full read is ~28 MB of JSON): if planning them again changes nothing, rows didn't move
        under our write. Formulas and markers are taken from the read before the write."""
        assert self._last is not None, "written() before read()"
        layout = plan.layout
        columns = sorted({layout.impressions, layout.clicks, layout.ctr, layout.status})
        title = _a1_sheet(self._properties()["title"])
        ranges = [f"{title}!{column_letter(c)}:{column_letter(c)}" for c in columns]
        params: dict[str, str | int | bool | float | list[str] | None] = {
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER",
            "majorDimension": "ROWS",
        }
        answer = self.client.values_batch_get(self.key, ranges, params=params)
        grid: Grid = []
        for col, value_range in zip(columns, answer["valueRanges"], strict=True):
            for index, cells in enumerate(value_range.get("values", [])):
                while len(grid) <= index:
                    grid.append([])
                row = grid[index]
                row.extend([None] * (col + 1 - len(row)))
                row[col] = cells[0] if cells else None
        before = self._last.evidence
        evidence = Evidence(
            column_count=layout.width,
            used_width=before.used_width,
            formulas=before.formulas,
            marked=before.marked,
            decimal_mark=before.decimal_mark,
        )
        return plan_cells(grid, layout, evidence).is_noop

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
        layout = plan.layout
        for col in plan.columns_to_mark:
            kind = "ctr" if col == layout.ctr else "status"
            requests.append(_marker(sheet_id, col, kind))
        requests += [_paste(sheet_id, run) for run in _runs(plan.changes)]
        requests += [
            _percent_format(sheet_id, rows[0], rows[-1] + 1, layout.ctr)
            for rows in _consecutive(plan.formats)
        ]
        return requests

    def _properties(self) -> dict[str, Any]:
        if self._props is None:
            meta = self.client.fetch_sheet_metadata(
                self.key, params={"fields": "properties.locale,sheets.properties"}
            )
            self._locale = str(meta.get("properties", {}).get("locale", ""))
            self._props = _pick(meta.get("sheets", []), self.gid, self.worksheet, self.key)
        return self._props


def decimal_mark(locale: str | None) -> DecimalMark:
    """The decimal mark of a locale such as Google's "de_DE" (or "de-DE", "de").

    >>> decimal_mark("de_DE"), decimal_mark("en_GB"), decimal_mark(None)
    (',', '.', '.')
    """
    language = (locale or "").replace("-", "_").split("_")[0].lower()
    return "," if language in DECIMAL_COMMA_LANGUAGES else "."


def _sheet_read(sheet: dict[str, Any], decimal_mark: DecimalMark) -> SheetRead:
    """Values as values.get would give them (unformatted, trailing blanks trimmed), plus
    formulas, notes, number formats and markers, from one spreadsheets.get answer."""
    data = (sheet.get("data") or [{}])[0]
    grid: Grid = []
    formulas: set[tuple[int, int]] = set()
    formatted: set[tuple[int, int]] = set()
    used = 0
    for r, row_data in enumerate(data.get("rowData", [])):
        cells = row_data.get("values", ())
        row: list[Cell] = [_effective(cell.get("effectiveValue")) for cell in cells]
        for c, cell in enumerate(cells):
            if len(cell) != 1 or "effectiveValue" not in cell:  # rare: more than a value
                if "userEnteredValue" in cell:
                    formulas.add((r, c))
                    used = max(used, c + 1)
                if "userEnteredFormat" in cell:
                    formatted.add((r, c))
                if cell.get("note"):
                    used = max(used, c + 1)
        while row and (row[-1] is None or row[-1] == ""):
            row.pop()
        used = max(used, len(row))
        grid.append(row)
    while grid and not grid[-1]:
        grid.pop()
    marked: dict[str, int | None] = {"ctr": None, "status": None}
    for col, column in enumerate(data.get("columnMetadata", [])):
        for meta in column.get("developerMetadata", []):
            if meta.get("metadataKey") == MARKER_KEY and meta.get("metadataValue") in marked:
                marked[meta["metadataValue"]] = col
    evidence = Evidence(
        column_count=int(sheet["properties"]["gridProperties"]["columnCount"]),
        used_width=used,
        formulas=frozenset(formulas),
        marked=Marked(ctr=marked["ctr"], status=marked["status"]),
        formatted=frozenset(formatted),
        decimal_mark=decimal_mark,
    )
    return SheetRead(grid, evidence)


def _effective(value: dict[str, Any] | None) -> Cell:
    if value is None:
        return None
    number = value.get("numberValue")
    if number is not None:
        return int(number) if type(number) is float and number.is_integer() else number
    if "stringValue" in value:
        return str(value["stringValue"])
    if "boolValue" in value:
        return bool(value["boolValue"])
    return "#ERROR!"  # errorValue: a formula that failed; never a count


def _marker(sheet_id: int, col: int, kind: str) -> dict[str, Any]:
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


def _consecutive(rows: list[int]) -> Iterator[list[int]]:
    run: list[int] = []
    for row in rows:
        if run and row != run[-1] + 1:
            yield run
            run = []
        run.append(row)
    if run:
        yield run


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


def _percent_format(sheet_id: int, first_row: int, end_row: int, col: int) -> dict[str, Any]:
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
    """A local CSV file, the offline twin of a worksheet: only the tool's cells change, every
    other byte of the file stays as it was (see sheets/csvfile.py).

    With ``output``, the result is written there and the file read is left as it was.
    """

    path: Path
    output: Path | None = None
    encoding: str | None = None
    locale: str | None = None  # a CSV carries none: "de_DE" reads 10.000 as ten thousand
    _file: CsvFile | None = field(default=None, repr=False)
    _written: bool = field(default=False, repr=False)

    def describe(self) -> str:
        return str(self.path)

    def read(self) -> SheetRead:
        self._file = CsvFile.read(self.path, self.encoding)
        rows = self._file.rows
        evidence = Evidence(
            column_count=self._file.width,
            used_width=None,  # only needed, and then computed, when a column is added
            decimal_mark=decimal_mark(self.locale),
        )
        return SheetRead(rows, evidence)

    def write(self, plan: Plan) -> None:
        if self._file is None:
            raise AssertionError("CsvSheet.write before read")  # pragma: no cover
        # Column by column: a first sync of a million rows is two dicts, not a million.
        columns: dict[int, dict[int, str | None]] = {}
        for change in plan.changes:
            columns.setdefault(change.col, {})[change.row] = _text(change.value) or None
        self._file.write(ByColumn(columns), self.output)
        self._written = True

    def written(self, plan: Plan) -> bool:
        # A change since our read is caught before writing (SheetChangedError): what was
        # written is what was planned, so no second read of a big file.
        return True

    def finish(self) -> None:
        """With --output, write the result even when nothing changed (the file is asked for)."""
        if self.output is not None and self._file is not None and not self._written:
            self._file.write({}, self.output)
            self._written = True
