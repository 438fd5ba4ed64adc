"""The fake Google's worksheets: cells with everything a person can set, and a person's edits.

Modelled on the Sheets API v4 reference (developers.google.com/sheets/api/reference/rest):

- ``CellData``: ``userEnteredValue`` (a formula's computed value is ``effectiveValue``),
  ``note``, ``userEnteredFormat`` (what a person set: a number format, a fill, a font...; not
  ``effectiveFormat``, which also carries the defaults and conditional formats' outcome, so it
  can't tell what a person set) and ``dataValidation`` (a dropdown). The API has no column or
  sheet format: formatting a whole column or the whole sheet in the UI sets
  ``userEnteredFormat`` on every cell of the grid there, and so does this fake.
- ``Sheet.merges``, ``Sheet.protectedRanges`` and ``Sheet.conditionalFormats``: GridRanges,
  where a missing index means unbounded (proto3 leaves out what is 0 or unset).
- ``DimensionProperties.hiddenByUser`` in ``GridData.columnMetadata``.
- ``DeveloperMetadata`` on a column (``DimensionRange`` of one column): "it will remain
  associated at those locations as they move around"; "if the associated object is deleted
  then its metadata is deleted too"; ``metadataId`` is "the spreadsheet-scoped unique ID ...
  IDs may be specified when metadata is created" (spreadsheets.developerMetadata).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

Value = str | int | float | bool | None
ALL_CELL_FIELDS = (
    "effectiveValue,userEnteredValue.formulaValue,note,userEnteredFormat,dataValidation"
)
GridRange = dict[str, int]  # Google's GridRange JSON: sheetId, start/end Row/Column Index


@dataclass
class Cell:
    value: Value = None
    formula: str | None = None  # a formula's cell keeps its computed value in ``value``
    format: dict[str, Any] | None = None  # userEnteredFormat
    note: str | None = None
    validation: dict[str, Any] | None = None  # dataValidation

    @property
    def number_format(self) -> dict[str, Any] | None:
        return (self.format or {}).get("numberFormat")

    @number_format.setter
    def number_format(self, value: dict[str, Any] | None) -> None:
        rest = {k: v for k, v in (self.format or {}).items() if k != "numberFormat"}
        self.format = ({**rest, "numberFormat": value} if value else rest) or None

    def is_blank(self) -> bool:
        """Nothing set at all: no value, formula, format, note or validation."""
        return (self.value is None or self.value == "") and not (
            self.formula or self.format or self.note or self.validation
        )

    def snapshot(self) -> tuple[Any, ...]:
        """Every property, comparable (for tests: what a person set is unchanged)."""
        return (
            self.value,
            self.formula,
            json.dumps(self.format, sort_keys=True),
            self.note,
            json.dumps(self.validation, sort_keys=True),
        )

    def data(self, fields: str = ALL_CELL_FIELDS) -> dict[str, Any]:
        """As CellData in spreadsheets.get's grid data under a field mask: Google leaves out
        what the mask doesn't name, so a plain value asked only for formulas is ``{}``."""
        out: dict[str, Any] = {}
        if "effectiveValue" in fields and self.value is not None and self.value != "":
            out["effectiveValue"] = extended(self.value)
        if "formulaValue" in fields and self.formula:
            out["userEnteredValue"] = {"formulaValue": self.formula}
        if "note" in fields and self.note:
            out["note"] = self.note
        if self.format and re.search(r"userEnteredFormat(?!\.)", fields):
            out["userEnteredFormat"] = self.format
        elif "userEnteredFormat.numberFormat" in fields and self.number_format:
            out["userEnteredFormat"] = {"numberFormat": self.number_format}
        if "dataValidation" in fields and self.validation:
            out["dataValidation"] = self.validation
        return out


@dataclass
class Marker:
    """Developer metadata on one column: it moves with the column, as Google's does."""

    metadata_id: int
    key: str
    value: str
    col: int


@dataclass
class BasicFilter:
    """A worksheet's basic filter: the grid range it covers and the rows its criteria hide now
    (the fake keeps the outcome of the criteria, not the criteria). The range's first row is
    the filter's header row, never hidden."""

    start_row: int
    end_row: int
    start_col: int
    end_col: int
    hidden: set[int] = field(default_factory=set)

    def grid_range(self, sheet_id: int) -> dict[str, int]:
        """As a GridRange in Google's JSON: fields holding 0 are left out (proto3 defaults)."""
        grid = {
            "sheetId": sheet_id,
            "startRowIndex": self.start_row,
            "endRowIndex": self.end_row,
            "startColumnIndex": self.start_col,
            "endColumnIndex": self.end_col,
        }
        return {name: index for name, index in grid.items() if index}


def columns_of(grid: GridRange, column_count: int) -> range:
    """The columns a GridRange covers (unbounded: to the grid's edge)."""
    return range(grid.get("startColumnIndex", 0), grid.get("endColumnIndex", column_count))


def _shift(grid: GridRange, dim: str, index: int, delta: int) -> GridRange | None:
    """A GridRange after ``delta`` rows/columns were inserted (>0) or one deleted (-1) at
    ``index``, as Google moves ranges with their cells; None when nothing of it is left."""
    start_key, end_key = f"start{dim}Index", f"end{dim}Index"
    out = dict(grid)
    if start_key in out and (out[start_key] >= index if delta > 0 else out[start_key] > index):
        out[start_key] += delta
    if end_key in out and out[end_key] > index:
        out[end_key] += delta
    if out.get(start_key, 0) >= out.get(end_key, out.get(start_key, 0) + 1):
        return None
    return out


def _asks(fields: str, name: str) -> bool:
    return fields == ALL_CELL_FIELDS or name in fields


@dataclass
class Worksheet:
    title: str
    sheet_id: int
    rows: list[list[Cell]] = field(default_factory=list)
    row_count: int = 1000
    column_count: int = 26
    markers: list[Marker] = field(default_factory=list)
    basic_filter: BasicFilter | None = None
    merges: list[GridRange] = field(default_factory=list)
    protected: list[dict[str, Any]] = field(default_factory=list)  # ProtectedRange JSON
    conditional: list[dict[str, Any]] = field(default_factory=list)  # ConditionalFormatRule
    hidden_columns: set[int] = field(default_factory=set)  # hiddenByUser

    @classmethod
    def of(cls, title: str, sheet_id: int, values: list[list[Value]], **grid: int) -> Worksheet:
        sheet = cls(title, sheet_id, **grid)  # type: ignore[arg-type]
        sheet.rows = [[Cell(v) for v in row] for row in values]
        sheet.row_count = max(sheet.row_count, len(values))
        sheet.column_count = max([sheet.column_count, *(len(r) for r in values)])
        return sheet

    def cell(self, row: int, col: int) -> Cell:
        while len(self.rows) <= row:
            self.rows.append([])
        line = self.rows[row]
        while len(line) <= col:
            line.append(Cell())
        return line[col]

    def values(self) -> list[list[Value]]:
        """As values.batchGet returns them: trailing empty cells and rows trimmed."""
        out = [[c.value for c in row] for row in self.rows]
        for row in out:
            while row and row[-1] in (None, ""):
                row.pop()
        while out and not out[-1]:
            out.pop()
        return out

    def column(self, col: int) -> list[Value]:
        """One column's values, down to the last row holding anything (as values.get)."""
        return [row[col] if col < len(row) else None for row in self.values()]

    def set_basic_filter(self, hidden: set[int], header_row: int = 0) -> BasicFilter:
        """As a person turning on Data > Create a filter over the table from ``header_row``
        down and choosing criteria that hide the rows ``hidden`` (0-based)."""
        end_col = max([1, *(len(row) for row in self.rows)])
        found = BasicFilter(header_row, len(self.rows), 0, end_col, set(hidden))
        assert all(header_row < row < found.end_row for row in hidden), hidden
        self.basic_filter = found
        return found

    def next_shown(self, row: int) -> int:
        """The first row from ``row`` down that the basic filter doesn't hide."""
        hidden = self.basic_filter.hidden if self.basic_filter else set()
        while row in hidden:
            row += 1
        return row

    # A person's formatting --------------------------------------------------------------

    def format_range(self, rows: range, cols: range, fmt: dict[str, Any]) -> None:
        """Format > ... on a selection: ``userEnteredFormat`` merged into every cell of it."""
        for row in rows:
            for col in cols:
                cell = self.cell(row, col)
                cell.format = {**(cell.format or {}), **fmt}

    def format_column(self, col: int, fmt: dict[str, Any]) -> None:
        """Selecting column ``col`` and formatting it: every cell of the grid's column."""
        self.format_range(range(self.row_count), range(col, col + 1), fmt)

    def format_sheet(self, fmt: dict[str, Any]) -> None:
        """Select all, then format: every cell of the grid."""
        self.format_range(range(self.row_count), range(self.column_count), fmt)

    def validate_column(self, col: int, rule: dict[str, Any], first_row: int = 1) -> None:
        """Data > Data validation (a dropdown) on a column from ``first_row`` down."""
        for row in range(first_row, self.row_count):
            self.cell(row, col).validation = rule

    def merge(self, rows: range, cols: range) -> None:
        self.merges.append(
            {
                "sheetId": self.sheet_id,
                "startRowIndex": rows.start,
                "endRowIndex": rows.stop,
                "startColumnIndex": cols.start,
                "endColumnIndex": cols.stop,
            }
        )

    def protect(self, grid: GridRange, description: str = "a person's range") -> None:
        self.protected.append(
            {
                "protectedRangeId": 7000 + len(self.protected),
                "range": {"sheetId": self.sheet_id, **grid},
                "description": description,
                "warningOnly": True,
            }
        )

    def add_conditional_format(self, grid: GridRange) -> None:
        self.conditional.append(
            {
                "ranges": [{"sheetId": self.sheet_id, **grid}],
                "booleanRule": {
                    "condition": {"type": "NUMBER_GREATER", "values": [{"userEnteredValue": "0"}]},
                    "format": {"backgroundColor": {"red": 1.0}},
                },
            }
        )

    # A person's structural edits --------------------------------------------------------

    def insert_row(self, index: int, values: list[Value]) -> None:
        """As a person inserting a row: everything below moves down one (the filter's range
        and the rows it hides with it)."""
        self.rows.extend([] for _ in range(index - len(self.rows)))
        self.rows.insert(index, [Cell(v) for v in values])
        self.row_count += 1
        found = self.basic_filter
        if found is not None:
            found.hidden = {row + (row >= index) for row in found.hidden}
            found.start_row += found.start_row >= index
            found.end_row += found.end_row >= index
        self._shift_ranges("Row", index, 1)

    def delete_row(self, index: int) -> None:
        if index < len(self.rows):
            del self.rows[index]
        self.row_count -= 1
        self._shift_ranges("Row", index, -1)

    def sort_rows(self, first: int, order: list[int]) -> None:
        """Data > Sort range over rows ``first``.. : whole rows move, formats and notes with
        their cells (``order`` lists the old indexes, relative to ``first``, in new order)."""
        block = self.rows[first : first + len(order)]
        block.extend([] for _ in range(len(order) - len(block)))
        self.rows[first : first + len(order)] = [block[i] for i in order]

    def insert_column(self, index: int) -> None:
        """As a person inserting a column: cells and column metadata right of it move right."""
        for row in self.rows:
            if len(row) > index:
                row.insert(index, Cell())
        for marker in self.markers:
            marker.col += marker.col >= index
        if self.basic_filter is not None:
            self.basic_filter.start_col += self.basic_filter.start_col >= index
            self.basic_filter.end_col += self.basic_filter.end_col >= index
        self.hidden_columns = {c + (c >= index) for c in self.hidden_columns}
        self._shift_ranges("Column", index, 1)
        self.column_count += 1

    def delete_column(self, index: int) -> None:
        """As a person deleting a column: its cells and its developer metadata go with it."""
        for row in self.rows:
            if len(row) > index:
                del row[index]
        self.markers = [m for m in self.markers if m.col != index]
        for marker in self.markers:
            marker.col -= marker.col > index
        self.hidden_columns = {c - (c > index) for c in self.hidden_columns if c != index}
        self._shift_ranges("Column", index, -1)
        self.column_count -= 1

    def move_column(self, source: int, target: int) -> None:
        """As a person dragging column ``source`` to index ``target`` (metadata goes along;
        a range's bounds follow the columns at its edges)."""
        width = max([self.column_count, *(len(row) for row in self.rows)])
        for row in self.rows:
            row.extend(Cell() for _ in range(width - len(row)))
            row.insert(target, row.pop(source))
        order = list(range(width))
        order.insert(target, order.pop(source))
        for marker in self.markers:
            marker.col = order.index(marker.col)
        self.hidden_columns = {order.index(c) for c in self.hidden_columns}
        for grid in self._ranges():
            if "startColumnIndex" in grid and "endColumnIndex" in grid:
                first, last = grid["startColumnIndex"], grid["endColumnIndex"] - 1
                ends = (order.index(first), order.index(last))
                grid["startColumnIndex"], grid["endColumnIndex"] = min(ends), max(ends) + 1

    def _ranges(self) -> list[GridRange]:
        return [
            *self.merges,
            *(p["range"] for p in self.protected),
            *(g for rule in self.conditional for g in rule["ranges"]),
        ]

    def _shift_ranges(self, dim: str, index: int, delta: int) -> None:
        def moved(grid: GridRange) -> GridRange | None:
            return _shift(grid, dim, index, delta)

        self.merges = [g for g in map(moved, self.merges) if g is not None]
        protected = []
        for item in self.protected:
            if (grid := moved(item["range"])) is not None:
                protected.append({**item, "range": grid})
        self.protected = protected
        rules = []
        for rule in self.conditional:
            ranges = [g for g in map(moved, rule["ranges"]) if g is not None]
            if ranges:
                rules.append({**rule, "ranges": ranges})
        self.conditional = rules

    # Grid data as spreadsheets.get answers it -------------------------------------------

    def grid_data_json(self, fields: str = ALL_CELL_FIELDS, column: int | None = None) -> str:
        """grid_data() under a field mask, as JSON text built directly (a 100k-row sheet is
        600k cells: the benchmark should time the client, not this fake); ``column`` for a
        range of one whole column."""
        rows = []
        for line in self.rows:
            cells = line if column is None else line[column : column + 1]
            texts = [_cell_json(cell, fields) for cell in cells]
            while texts and texts[-1] == "{}":
                texts.pop()
            rows.append('{"values":[' + ",".join(texts) + "]}" if texts else "{}")
        while rows and rows[-1] == "{}":
            rows.pop()
        data = self.grid_data(fields, with_rows=False)
        if column is not None:
            data["startColumn"] = column
            if "columnMetadata" in data:
                data["columnMetadata"] = data["columnMetadata"][column : column + 1]
        data["rowData"] = "@ROWS@"
        return json.dumps(data).replace('"@ROWS@"', "[" + ",".join(rows) + "]")

    def grid_data(self, fields: str = ALL_CELL_FIELDS, with_rows: bool = True) -> dict[str, Any]:
        """GridData for the whole sheet: rowData (trailing empties trimmed) and, when the mask
        asks for them (or there is no mask), columnMetadata's developer metadata and
        hiddenByUser (false is left out, as proto3 JSON does)."""
        rows = []
        for line in self.rows if with_rows else ():
            cells = [cell.data(fields) for cell in line]
            while cells and not cells[-1]:
                cells.pop()
            rows.append({"values": cells} if cells else {})
        while rows and not rows[-1]:
            rows.pop()
        out: dict[str, Any] = {"startRow": 0, "startColumn": 0, "rowData": rows}
        if not _asks(fields, "columnMetadata"):
            return out
        columns: list[dict[str, Any]] = [{"pixelSize": 100} for _ in range(self.column_count)]
        for col in self.hidden_columns:
            if col < self.column_count and _asks(fields, "hiddenByUser"):
                columns[col]["hiddenByUser"] = True
        for marker in self.markers:
            if not _asks(fields, "developerMetadata"):
                break
            columns[marker.col].setdefault("developerMetadata", []).append(
                {
                    "metadataId": marker.metadata_id,
                    "metadataKey": marker.key,
                    "metadataValue": marker.value,
                    "location": {
                        "locationType": "COLUMN",
                        "dimensionRange": {
                            "sheetId": self.sheet_id,
                            "dimension": "COLUMNS",
                            "startIndex": marker.col,
                            "endIndex": marker.col + 1,
                        },
                    },
                    "visibility": "DOCUMENT",
                }
            )
        out["columnMetadata"] = columns
        return out

    def sheet_extras(self, fields: str) -> dict[str, Any]:
        """The Sheet's merges, protectedRanges and conditionalFormats its field mask names
        (empty lists are left out, as Google leaves them out)."""
        out: dict[str, Any] = {}
        everything = not fields
        if (everything or "merges" in fields) and self.merges:
            out["merges"] = self.merges
        if (everything or "protectedRanges" in fields) and self.protected:
            out["protectedRanges"] = self.protected
        if (everything or "conditionalFormats" in fields) and self.conditional:
            out["conditionalFormats"] = self.conditional
        return out


def extended(value: Value) -> dict[str, Any]:
    """A value as an ExtendedValue."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": str(value)}


def _cell_json(cell: Cell, fields: str) -> str:
    value = cell.value
    if cell.formula is None and not (cell.note or cell.format or cell.validation):
        if value is None or value == "" or "effectiveValue" not in fields:
            return "{}"
        if type(value) is int or type(value) is float:
            return '{"effectiveValue":{"numberValue":%r}}' % value  # noqa: UP031 - hot path
    return json.dumps(cell.data(fields))
