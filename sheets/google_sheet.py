"""One Google worksheet as a sheet backend.

A read needs the values and the evidence of ownership (formulas, notes, the tool's column
marks). A worksheet seen for the first time, or a big one, is read in two calls:
``spreadsheets.get`` with a field mask asking only for what is rare besides the sheets'
properties, and the values as compact unformatted JSON (a 100k-row sheet is ~9 MB to parse,
not the ~28 MB of a grid read with every cell's value). A small worksheet whose tab is
already known (a watched sheet, synced every interval) is read in one grid call: quota, not
parsing, is what limits the bot. The write is one ``batchUpdate`` (chunked under 2 MB) that
also marks the columns the tool creates or adopts. Values go in as pastes (compact), except on
a worksheet with a basic filter: a paste skips the rows it hides, so there every value is
written at its exact address. Both reads ask for the filter's range to know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sheets import google_requests as requests
from sheets.client import ResilientHTTPClient
from sheets.errors import SheetAccessError
from sheets.headers import Cell, Layout
from sheets.locales import numerals
from sheets.ownership import Evidence, Marked, column_letter
from sheets.plan import Plan
from sheets.plan import plan as plan_cells
from sheets.port import Grid, SheetRead

MARKER_KEY = requests.MARKER_KEY
_EVIDENCE_FIELDS = (
    "properties.locale,"
    "sheets(properties(sheetId,title,gridProperties),basicFilter.range,"
    "data(columnMetadata.developerMetadata(metadataKey,metadataValue),"
    "rowData.values(userEnteredValue.formulaValue,note)))"
)
_GRID_FIELDS = (
    "properties.locale,"
    "sheets(properties(sheetId,title,gridProperties),basicFilter.range,"
    "data(columnMetadata.developerMetadata(metadataKey,metadataValue),"
    "rowData.values(effectiveValue,userEnteredValue.formulaValue,note)))"
)
# Up to this many grid cells, a known worksheet is read in one grid call (~40 bytes a cell).
ONE_CALL_MAX_CELLS = 100_000
_FORMAT_FIELDS = "sheets.data.rowData.values.userEnteredFormat.numberFormat"
Params = dict[str, str | int | bool | float | list[str] | None]


def _values_params() -> Params:
    """A fresh dict per request: gspread writes the request's ``ranges`` into the one it is
    given, and a shared one let a read waiting for quota go out with another thread's ranges."""
    return {
        "valueRenderOption": "UNFORMATTED_VALUE",
        "dateTimeRenderOption": "SERIAL_NUMBER",
        "majorDimension": "ROWS",
    }


@dataclass
class GoogleSheet:
    """One worksheet of a spreadsheet, by its tab's gid, its name, or the first tab."""

    client: ResilientHTTPClient
    key: str
    gid: int | None = None
    worksheet: str | None = None
    _props: dict[str, Any] | None = field(default=None, repr=False)
    # Whether the worksheet had a basic filter when last read: pastes would skip its hidden rows.
    _filtered: bool = field(default=False, repr=False)
    # Only the evidence of the last read is kept (for written()): a bot keeps one of these per
    # watched sheet, and holding every grid would grow with all of them.
    _evidence: Evidence | None = field(default=None, repr=False)

    def describe(self) -> str:
        return f"{self._properties()['title']} ({self.key})"

    def read(self) -> SheetRead:
        props = self._props
        if props is not None and _cells(props) <= ONE_CALL_MAX_CELLS:
            read = self._read_grid(props["title"])
        else:
            read = self._read_values_and_evidence()
        self._evidence = read.evidence
        return read

    def _read_values_and_evidence(self) -> SheetRead:
        meta = self.client.fetch_sheet_metadata(self.key, params={"fields": _EVIDENCE_FIELDS})
        sheet = self._take(_pick(meta.get("sheets", []), self.gid, self.worksheet, self.key))
        title = requests.a1_sheet(sheet["properties"]["title"])
        answer = self.client.values_batch_get(self.key, [title], params=_values_params())
        values: Grid = answer["valueRanges"][0].get("values", [])
        return SheetRead(values, _evidence(sheet, values, _locale(meta)))

    def _read_grid(self, title: str) -> SheetRead:
        params: Params = {
            "ranges": requests.a1_sheet(title),
            "fields": _GRID_FIELDS,
        }
        meta = self.client.fetch_sheet_metadata(self.key, params=params)
        sheets = meta.get("sheets", [])
        if not sheets:  # the tab was renamed or deleted since: look it up afresh
            self._props = None
            return self._read_values_and_evidence()
        sheet = self._take(sheets[0])
        data = (sheet.get("data") or [{}])[0]
        values: Grid = []
        for row_data in data.get("rowData", ()):
            row = [_effective(cell.get("effectiveValue")) for cell in row_data.get("values", ())]
            values.append(row[: _last_used(row)])
        while values and not values[-1]:
            values.pop()
        return SheetRead(values, _evidence(sheet, values, _locale(meta)))

    def _take(self, sheet: dict[str, Any]) -> dict[str, Any]:
        self._props, self._filtered = sheet["properties"], "basicFilter" in sheet
        return sheet

    def written(self, plan: Plan) -> bool:
        """Re-read only the four columns that matter, as compact values: if planning them
        again changes nothing, no rows moved under our write. Formulas and markers are taken
        from the read before the write."""
        assert self._evidence is not None, "written() before read()"
        layout = plan.layout
        columns = sorted({layout.impressions, layout.clicks, layout.ctr, layout.status})
        title = requests.a1_sheet(self._properties()["title"])
        ranges = [f"{title}!{column_letter(c)}:{column_letter(c)}" for c in columns]
        answer = self.client.values_batch_get(self.key, ranges, params=_values_params())
        grid: Grid = []
        for col, value_range in zip(columns, answer["valueRanges"], strict=True):
            for index, cells in enumerate(value_range.get("values", [])):
                grid.extend([] for _ in range(index + 1 - len(grid)))
                row = grid[index]
                row.extend([None] * (col + 1 - len(row)))
                row[col] = cells[0] if cells else None
        before = self._evidence
        evidence = Evidence(
            column_count=layout.width,
            used_width=before.used_width,
            formulas=before.formulas,
            marked=before.marked,
            numerals=before.numerals,
        )
        return plan_cells(grid, layout, evidence).is_noop

    def write(self, plan: Plan) -> None:
        props = self._properties()
        for body in requests.chunks(self._requests(plan, props)):
            self.client.batch_update(self.key, {"requests": body})
        props["gridProperties"]["columnCount"] += plan.columns_to_add

    def _requests(self, plan: Plan, props: dict[str, Any]) -> list[dict[str, Any]]:
        sheet_id, layout = props["sheetId"], plan.layout
        batch: list[dict[str, Any]] = []
        if plan.columns_to_add:
            batch.append(requests.append_columns(sheet_id, plan.columns_to_add))
        for col in plan.columns_to_mark:
            batch.append(requests.marker(sheet_id, col, "ctr" if col == layout.ctr else "status"))
        for run in requests.runs(plan.changes):
            if self._filtered:
                batch += requests.update_cells(sheet_id, run)
            else:
                batch.append(requests.paste(sheet_id, run))
        batch += [
            requests.percent_format(sheet_id, rows[0], rows[-1] + 1, layout.ctr)
            for rows in requests.consecutive(self._to_format(layout, props))
        ]
        return batch

    def _to_format(self, layout: Layout, props: dict[str, Any]) -> list[int]:
        """Rows of the CTR column to show as percents: all of a new column; in an adopted one,
        the cells a person gave no format (one read, the first time the tool takes it)."""
        first, end = layout.header_row + 1, int(props["gridProperties"]["rowCount"])
        if layout.ctr in layout.new_columns:
            return list(range(first, end))
        if layout.ctr not in layout.adopted:
            return []  # the tool's column since an earlier sync: formats are people's now
        letter = column_letter(layout.ctr)
        a1 = f"{requests.a1_sheet(props['title'])}!{letter}:{letter}"
        meta = self.client.fetch_sheet_metadata(
            self.key, params={"ranges": a1, "fields": _FORMAT_FIELDS}
        )
        rows = meta["sheets"][0].get("data", [{}])[0].get("rowData", [])
        formatted = {
            r
            for r, row in enumerate(rows)
            if any(cell.get("userEnteredFormat") for cell in row.get("values", ()))
        }
        return [r for r in range(first, end) if r not in formatted]

    def _properties(self) -> dict[str, Any]:
        if self._props is None:
            meta = self.client.fetch_sheet_metadata(
                self.key, params={"fields": "sheets(properties,basicFilter.range)"}
            )
            sheet = self._take(_pick(meta.get("sheets", []), self.gid, self.worksheet, self.key))
            props: dict[str, Any] = sheet["properties"]
            return props
        return self._props


def _cells(props: dict[str, Any]) -> int:
    grid = props["gridProperties"]
    return int(grid["rowCount"]) * int(grid["columnCount"])


def _locale(meta: Mapping[str, Any]) -> str:
    return str(meta.get("properties", {}).get("locale", ""))


def _effective(value: dict[str, Any] | None) -> Cell:
    """A cell's effectiveValue as values.get would render it unformatted."""
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


def _evidence(sheet: dict[str, Any], values: Grid, locale: str) -> Evidence:
    """Formulas, how far right anything reaches (notes included) and the tool's markers, from
    the sparse grid data the field mask asked for."""
    data = (sheet.get("data") or [{}])[0]
    formulas: set[tuple[int, int]] = set()
    used = max((_last_used(row) for row in values), default=0)
    for r, row_data in enumerate(data.get("rowData", ())):
        for c, cell in enumerate(row_data.get("values", ())):
            if len(cell) > ("effectiveValue" in cell):  # a formula or a note: the column is used
                used = max(used, c + 1)
                if "userEnteredValue" in cell:
                    formulas.add((r, c))
    marked: dict[str, int | None] = {"ctr": None, "status": None}
    for col, column in enumerate(data.get("columnMetadata", ())):
        for meta in column.get("developerMetadata", ()):
            if meta.get("metadataKey") == MARKER_KEY and meta.get("metadataValue") in marked:
                marked[meta["metadataValue"]] = col
    return Evidence(
        column_count=int(sheet["properties"]["gridProperties"]["columnCount"]),
        used_width=used,
        formulas=frozenset(formulas),
        marked=Marked(ctr=marked["ctr"], status=marked["status"]),
        numerals=numerals(locale),
    )


def _last_used(row: list[Cell]) -> int:
    end = len(row)
    while end and (row[end - 1] is None or row[end - 1] == ""):
        end -= 1
    return end


def _pick(
    sheets: list[dict[str, Any]], gid: int | None, name: str | None, key: str
) -> dict[str, Any]:
    for sheet in sheets:
        prop = sheet["properties"]
        if (gid is not None and prop["sheetId"] == gid) or (
            name is not None and prop["title"] == name
        ):
            return sheet
    if gid is None and name is None and sheets:
        return sheets[0]
    wanted = f"worksheet {name!r}" if name else f"gid={gid}"
    titles = ", ".join(repr(s["properties"]["title"]) for s in sheets)
    raise SheetAccessError(f"Spreadsheet {key} has no {wanted} (worksheets: {titles}).")
