"""One Google worksheet as a sheet backend.

A read needs the values and the evidence of ownership and of use (formulas, notes, formats,
dropdowns, merges, hidden columns, protection, conditional formats, the tool's column
marks). A worksheet seen for the first time, or a big one, is read in two calls:
``spreadsheets.get`` with a field mask asking only for what is rare besides the sheets'
properties, and the values as compact unformatted JSON (a 100k-row sheet is ~9 MB to parse,
not the ~28 MB of a grid read with every cell's value). A small worksheet whose tab is
already known (a watched sheet, synced every interval) is read in one grid call: quota, not
parsing, is what limits the bot. The write is one ``batchUpdate`` (chunked if very big) that
also marks the columns the tool creates or adopts, with fixed marker ids so that of two syncs
racing to place columns only one can. Values go in typed (``updateCells`` at exact
addresses), never as text the sheet parses in its own locale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sheets import google_requests as requests
from sheets.client import ResilientHTTPClient
from sheets.errors import (
    SheetChangedError,
    SheetLayoutError,
    SheetsRequestRefused,
)
from sheets.google_evidence import evidence, holds_fixed_markers, last_used
from sheets.headers import Cell, Layout
from sheets.ownership import Evidence, column_letter
from sheets.plan import Plan
from sheets.plan import plan as plan_cells
from sheets.port import Grid, SheetRead

MARKER_KEY = requests.MARKER_KEY
# Everything a person can set that makes a column theirs, besides values: formulas, notes,
# formats (userEnteredFormat: what was set, not effectiveFormat's defaults), dropdowns
# (dataValidation), merges, hidden columns, protected ranges, conditional formats. Rare in a
# campaign sheet, so the sparse grid data stays small; asked in the reads already made.
_CELL_EVIDENCE = (
    "userEnteredValue.formulaValue,note,userEnteredFormat,dataValidation.condition.type"
)
_SHEET_EVIDENCE = (
    "properties(sheetId,title,gridProperties),merges,"
    "protectedRanges.range,conditionalFormats.ranges,"
    "data(columnMetadata(hiddenByUser,developerMetadata(metadataId,metadataKey,metadataValue)),"
)
_EVIDENCE_FIELDS = f"properties.locale,sheets({_SHEET_EVIDENCE}rowData.values({_CELL_EVIDENCE})))"
_GRID_FIELDS = (
    f"properties.locale,sheets({_SHEET_EVIDENCE}rowData.values(effectiveValue,{_CELL_EVIDENCE})))"
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
    # Only the evidence of the last read is kept (for written()): a bot keeps one of these per
    # watched sheet, and holding every grid would grow with all of them.
    _evidence: Evidence | None = field(default=None, repr=False)
    # A write refused while creating our markers: a race lost, unless the next read shows none.
    _refused: SheetsRequestRefused | None = field(default=None, repr=False)

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
        return SheetRead(values, evidence(sheet, values, _locale(meta)))

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
            values.append(row[: last_used(row)])
        while values and not values[-1]:
            values.pop()
        return SheetRead(values, evidence(sheet, values, _locale(meta)))

    def _take(self, sheet: dict[str, Any]) -> dict[str, Any]:
        self._props = sheet["properties"]
        refused, self._refused = self._refused, None
        if refused is not None and not holds_fixed_markers(sheet):
            raise refused
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
        for index, body in enumerate(requests.chunks(self._requests(plan, props))):
            try:
                self.client.batch_update(self.key, {"requests": body})
            except SheetsRequestRefused as error:
                if index or not plan.columns_to_mark:
                    raise
                # Our markers' fixed ids may exist since our read: another sync placed the
                # columns first, and this whole batch was refused. Read again (and adopt its
                # columns); if no marker of ours is there then, the refusal was something else.
                self._refused = error
                raise SheetChangedError(str(error)) from None
        props["gridProperties"]["columnCount"] += plan.columns_to_add

    def _requests(self, plan: Plan, props: dict[str, Any]) -> list[requests.Sized]:
        sheet_id, layout = props["sheetId"], plan.layout
        batch: list[requests.Sized] = []
        if plan.columns_to_add:
            batch.append(requests.sized(requests.append_columns(sheet_id, plan.columns_to_add)))
        for col in plan.columns_to_mark:
            kind = "ctr" if col == layout.ctr else "status"
            batch.append(requests.sized(requests.marker(sheet_id, col, kind)))
        for run in requests.runs(plan.changes):
            batch += requests.update_cells(sheet_id, run)
        batch += [
            requests.sized(requests.percent_format(sheet_id, rows[0], rows[-1] + 1, layout.ctr))
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
                self.key, params={"fields": "sheets(properties)"}
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


def _pick(
    sheets: list[dict[str, Any]], gid: int | None, name: str | None, key: str
) -> dict[str, Any]:
    """The worksheet by gid or by name; both given must name the same tab, else the sync
    refuses (tab order deciding between them would write the wrong one)."""
    by_gid = [s for s in sheets if gid is not None and s["properties"]["sheetId"] == gid]
    by_name = [s for s in sheets if name is not None and s["properties"]["title"] == name]
    if gid is not None and name is not None:
        if by_gid and by_name and by_gid[0] is by_name[0]:
            return by_gid[0]
        found = f"tab {by_gid[0]['properties']['title']!r}" if by_gid else "no tab"
        raise SheetLayoutError(
            f"The link's #gid={gid} is {found} but --worksheet names {name!r}: "
            f"drop #gid from the link or leave out --worksheet."
        )
    if by_gid or by_name:
        return (by_gid or by_name)[0]
    if gid is None and name is None and sheets:
        return sheets[0]
    # The spreadsheet opened: a tab it doesn't have is a mistake in what was asked (exit 2).
    wanted = f"worksheet {name!r}" if name else f"gid={gid}"
    titles = ", ".join(repr(s["properties"]["title"]) for s in sheets)
    raise SheetLayoutError(
        f"Spreadsheet {key} has no {wanted} (worksheets: {titles}): name one of those with "
        "--worksheet, or copy the tab's link."
    )
