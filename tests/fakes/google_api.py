"""A small Google Sheets API v4 and OAuth token endpoint on 127.0.0.1, for gspread/google-auth.

In-memory worksheets with values, formulas, notes, formats, developer metadata on columns and
a basic filter (pasteData skips the rows it hides, as Google's does); ``spreadsheets.get`` with
ranges and grid data; a request log with body sizes; fault injection
(status codes with Retry-After); and a hook run before a write is applied, to play a person
editing the sheet between our read and our write.

Google's per-minute quotas are enforced (tests/fakes/google_quota.py) on a virtual clock the
test moves, and Drive's files.list/files.get (tests/fakes/google_drive.py) show each
spreadsheet's modifiedTime, moved by every write and by ``touch`` (a person's edit).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from google.auth import jwt

from tests.fakes.google_drive import DriveFile, list_files, rfc3339
from tests.fakes.google_quota import FakeQuota, Kind, VirtualClock
from tests.fakes.http import FakeServer, Gate, serving

Value = str | int | float | bool | None
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
RAW = "__raw_json__"  # key of JSON fragments an answer embeds as they are
ALL_CELL_FIELDS = "effectiveValue,userEnteredValue.formulaValue,note,userEnteredFormat.numberFormat"
PERSON = "someone@example.com"  # who edits a sheet when a test does


@dataclass
class Cell:
    value: Value = None
    formula: str | None = None  # a formula's cell keeps its computed value in ``value``
    number_format: dict[str, Any] | None = None
    note: str | None = None

    def data(self, fields: str = ALL_CELL_FIELDS) -> dict[str, Any]:
        """As CellData in spreadsheets.get's grid data under a field mask: Google leaves out
        what the mask doesn't name (this fake knows effectiveValue, formulaValue, note and
        numberFormat), so a plain value asked only for formulas is ``{}``."""
        out: dict[str, Any] = {}
        if "effectiveValue" in fields and self.value is not None and self.value != "":
            out["effectiveValue"] = _extended(self.value)
        if "formulaValue" in fields and self.formula:
            out["userEnteredValue"] = {"formulaValue": self.formula}
        if "note" in fields and self.note:
            out["note"] = self.note
        if "numberFormat" in fields and self.number_format:
            out["userEnteredFormat"] = {"numberFormat": self.number_format}
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


@dataclass
class Worksheet:
    title: str
    sheet_id: int
    rows: list[list[Cell]] = field(default_factory=list)
    row_count: int = 1000
    column_count: int = 26
    markers: list[Marker] = field(default_factory=list)
    basic_filter: BasicFilter | None = None

    @classmethod
    def of(cls, title: str, sheet_id: int, values: list[list[Value]], **grid: int) -> Worksheet:
        sheet = cls(title, sheet_id, **grid)
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

    def insert_row(self, index: int, values: list[Value]) -> None:
        """As a person inserting a row: everything below moves down one (the filter's range
        and the rows it hides with it)."""
        self.rows.insert(index, [Cell(v) for v in values])
        self.row_count += 1
        found = self.basic_filter
        if found is not None:
            found.hidden = {row + (row >= index) for row in found.hidden}
            found.start_row += found.start_row >= index
            found.end_row += found.end_row >= index

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
        self.column_count += 1

    def move_column(self, source: int, target: int) -> None:
        """As a person dragging column ``source`` to index ``target`` (metadata goes along)."""
        width = max([self.column_count, *(len(row) for row in self.rows)])
        for row in self.rows:
            row.extend(Cell() for _ in range(width - len(row)))
            row.insert(target, row.pop(source))
        order = list(range(width))
        order.insert(target, order.pop(source))
        for marker in self.markers:
            marker.col = order.index(marker.col)

    def column(self, col: int) -> list[Value]:
        """One column's values, down to the last row holding anything (as values.get)."""
        return [row[col] if col < len(row) else None for row in self.values()]

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
        data = self.grid_data()
        if column is not None:
            data["startColumn"] = column
            data["columnMetadata"] = data["columnMetadata"][column : column + 1]
        data["rowData"] = "@ROWS@"
        return json.dumps(data).replace('"@ROWS@"', "[" + ",".join(rows) + "]")

    def grid_data(self) -> dict[str, Any]:
        """GridData for the whole sheet: rowData (trailing empties trimmed) and columnMetadata."""
        rows = []
        for line in self.rows:
            cells = [cell.data() for cell in line]
            while cells and not cells[-1]:
                cells.pop()
            rows.append({"values": cells} if cells else {})
        while rows and not rows[-1]:
            rows.pop()
        columns: list[dict[str, Any]] = [{"pixelSize": 100} for _ in range(self.column_count)]
        for marker in self.markers:
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
        return {"startRow": 0, "startColumn": 0, "rowData": rows, "columnMetadata": columns}


class Spreadsheets(dict[str, list[Worksheet]]):
    """Key -> worksheets; putting a spreadsheet in is an edit (its modifiedTime moves)."""

    def __init__(self, fake: FakeGoogle) -> None:
        super().__init__()
        self.fake = fake

    def __setitem__(self, key: str, value: list[Worksheet]) -> None:
        super().__setitem__(key, value)
        self.fake.touch(key)


@dataclass
class FakeGoogle:
    spreadsheets: dict[str, list[Worksheet]] = field(init=False)
    public_cert: bytes = b""
    client_email: str = ""
    log: list[tuple[str, str, int]] = field(default_factory=list)  # method, path, body bytes
    received: list[str] = field(default_factory=list)  # kinds of batchUpdate requests applied
    faults: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # next responses
    before_write: Callable[[FakeGoogle, str], None] | None = None
    read_gate: Gate | None = None  # holds the next values read until the test says go
    base_url: str = ""
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> service account
    locale: str = "en_US"
    next_metadata_id: int = 1000
    clock: VirtualClock = field(default_factory=VirtualClock)
    quota: FakeQuota = field(init=False)
    modified: dict[str, tuple[float, str]] = field(default_factory=dict)  # key -> (when, by)
    unshared: set[str] = field(default_factory=set)  # exist, but not shared with us
    names: dict[str, str] = field(default_factory=dict)  # key -> the spreadsheet's own name
    # Drive API off for the project (its number): Drive answers 403 SERVICE_DISABLED.
    drive_disabled: str | None = None
    latest_change: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.spreadsheets = Spreadsheets(self)
        self.quota = FakeQuota(self.clock)

    def touch(self, key: str, by: str = PERSON) -> None:
        """A change to the spreadsheet now, as Drive records it (tests call it after editing
        worksheets in place; writes through the API call it themselves)."""
        # Strictly later than any earlier change, even on a clock that stands still: Drive's
        # modifiedTime is a version, and two changes never share one.
        self.latest_change = max(self.clock(), self.latest_change + 0.001)
        self.modified[key] = (self.latest_change, by)

    def name(self, key: str) -> str:
        return self.names.get(key, f"Spreadsheet {key}")

    def modified_time(self, key: str) -> str:
        return rfc3339(self.modified[key][0])

    def drive_calls(self) -> list[tuple[str, str, int]]:
        return [entry for entry in self.log if entry[1].startswith("/drive/")]

    def drive_files(self) -> list[DriveFile]:
        return [
            DriveFile(key, self.name(key), *self.modified[key])
            for key in self.spreadsheets
            if key not in self.unshared
        ]

    def hold_next_read(self) -> Gate:
        """Hold the next read of cells (values.batchGet, or spreadsheets.get with ranges: a
        reader is then mid-read) until ``gate.go()``."""
        self.read_gate = Gate()
        return self.read_gate

    def api_calls(self) -> list[tuple[str, str, int]]:
        return [entry for entry in self.log if entry[1].startswith("/v4/")]

    def writes(self) -> list[tuple[str, str, int]]:
        return [entry for entry in self.api_calls() if entry[0] == "POST"]

    # Endpoints ---------------------------------------------------------------------------

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        # google-auth signs for Google's token audience and POSTs to the key's token_uri.
        claims = jwt.decode(
            form["assertion"], certs=self.public_cert, audience=GOOGLE_TOKEN_AUDIENCE
        )
        if claims["iss"] != self.client_email:
            return 400, {"error": "invalid_grant"}
        token = f"ya29.fake-{len(self.tokens) + 1}"
        self.tokens[token] = claims["iss"]
        return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    def metadata(self, key: str, query: dict[str, list[str]] | None = None) -> dict[str, Any]:
        """spreadsheets.get: every sheet's properties; its basic filter's range when the field
        mask names ``basicFilter`` (or there is no mask); with a field mask naming ``data``, each
        sheet's grid data under that mask; with ``ranges`` (a whole sheet 'Title' or a whole
        column 'Title'!C:C), only those sheets and that part of their grid."""
        query = query or {}
        fields = "".join(query.get("fields", []))
        worksheets = list(enumerate(self.spreadsheets[key]))
        wanted: dict[str, int | None] = {}
        for a1 in query.get("ranges", []):
            title, _, columns = a1.rpartition("!") if "!" in a1 else (a1, "", "")
            wanted[title.strip("'").replace("''", "'")] = _column(columns) if columns else None
        if wanted:
            worksheets = [(i, s) for i, s in worksheets if s.title in wanted]
        with_data = "data" in fields or "true" in query.get("includeGridData", [])
        with_filter = not fields or "basicFilter" in fields
        sheets = []
        raw: list[str] = []  # grid data built as JSON text, spliced in when answering
        for i, s in worksheets:
            sheet: dict[str, Any] = {
                "properties": {
                    "sheetId": s.sheet_id,
                    "title": s.title,
                    "index": i,
                    "sheetType": "GRID",
                    "gridProperties": {"rowCount": s.row_count, "columnCount": s.column_count},
                }
            }
            if with_filter and s.basic_filter is not None:
                sheet["basicFilter"] = {"range": s.basic_filter.grid_range(s.sheet_id)}
            if with_data:
                sheet["data"] = [f"@RAW{len(raw)}@"]
                raw.append(s.grid_data_json(fields or ALL_CELL_FIELDS, wanted.get(s.title)))
            sheets.append(sheet)
        return {
            "spreadsheetId": key,
            "properties": {"title": self.name(key), "locale": self.locale},
            "sheets": sheets,
            RAW: raw,
        }

    def batch_get(self, key: str, ranges: list[str]) -> dict[str, Any]:
        """values.batchGet of whole sheets ('Title') or whole columns ('Title'!C:C)."""
        out = []
        for a1 in ranges:
            title, _, columns = a1.rpartition("!") if "!" in a1 else (a1, "", "")
            sheet = self._by_title(key, title.strip("'").replace("''", "'"))
            values = sheet.values()
            if columns:
                col = _column(columns)
                values = [[row[col]] if col < len(row) else [] for row in values]
                while values and not values[-1]:
                    values.pop()
            out.append({"range": a1, "majorDimension": "ROWS", "values": values})
        return {"spreadsheetId": key, "valueRanges": out}

    def values_update(self, key: str, a1: str, body: dict[str, Any]) -> dict[str, Any]:
        """values.update (USER_ENTERED or RAW): the block of values from the range's corner."""
        title, _, corner = a1.rpartition("!")
        sheet = (
            self._by_title(key, title.strip("'").replace("''", "'"))
            if title
            else self.spreadsheets[key][0]
        )
        start = re.match(r"([A-Z]+)(\d+)", corner)
        assert start is not None, a1
        col0 = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(start[1]))) - 1
        row0 = int(start[2]) - 1
        for r, line in enumerate(body.get("values", [])):
            for c, value in enumerate(line):
                cell = sheet.cell(row0 + r, col0 + c)
                cell.value = _user_entered(value) if isinstance(value, str) else value
                cell.formula = None
        self.touch(key, self.client_email)
        return {"spreadsheetId": key, "updatedRange": a1}

    def batch_update(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.before_write is not None:
            hook, self.before_write = self.before_write, None
            hook(self, key)
        replies = []
        for request in body["requests"]:
            ((kind, args),) = request.items()
            self.received.append(kind)
            error = getattr(self, "_" + re.sub(r"(?<!^)(?=[A-Z])", "_", kind).lower())(key, args)
            if error:
                return 400, {"error": {"code": 400, "message": error, "status": "INVALID_ARGUMENT"}}
            replies.append({})
        self.touch(key, self.client_email)
        return 200, {"spreadsheetId": key, "replies": replies}

    def _append_dimension(self, key: str, args: dict[str, Any]) -> str | None:
        sheet = self._by_id(key, args["sheetId"])
        if args["dimension"] == "COLUMNS":
            sheet.column_count += args["length"]
        else:
            sheet.row_count += args["length"]
        return None

    def _paste_data(self, key: str, args: dict[str, Any]) -> str | None:
        """As a paste in the UI: each line goes to the next row the basic filter shows
        (googleapis/google-api-php-client-services#329: a paste aimed at a hidden row lands
        in the next visible one)."""
        where = args["coordinate"]
        sheet = self._by_id(key, where["sheetId"])
        row = where["rowIndex"]
        for line in args["data"].split("\n"):
            row = sheet.next_shown(row)
            for c, text in enumerate(line.split(args.get("delimiter", ","))):
                col = where["columnIndex"] + c
                if row >= sheet.row_count or col >= sheet.column_count:
                    return f"Range ({row}, {col}) exceeds grid limits of {sheet.title!r}."
                cell = sheet.cell(row, col)
                cell.value, cell.formula = _user_entered(text), None
            row += 1
        return None

    def _update_cells(self, key: str, args: dict[str, Any]) -> str | None:
        """updateCells from ``start`` (or a ``range``'s corner, the rest of the range cleared)
        at exact addresses, hidden rows included; this fake updates ``userEnteredValue``."""
        if args.get("fields") != "userEnteredValue":
            return "This fake's updateCells only takes fields='userEnteredValue'."
        corner = args.get("start") or args["range"]
        sheet = self._by_id(key, corner.get("sheetId", 0))
        row0 = corner.get("rowIndex", corner.get("startRowIndex", 0))
        col0 = corner.get("columnIndex", corner.get("startColumnIndex", 0))
        rows = [row.get("values", []) for row in args.get("rows", [])]
        if "range" in args:  # cells of the range the rows don't reach are cleared
            grid = args["range"]
            width = grid["endColumnIndex"] - col0
            rows = [*rows, *([] for _ in range(grid["endRowIndex"] - row0 - len(rows)))]
            rows = [[*line, *({} for _ in range(width - len(line)))] for line in rows]
        for r, line in enumerate(rows):
            for c, data in enumerate(line):
                row, col = row0 + r, col0 + c
                if row >= sheet.row_count or col >= sheet.column_count:
                    return f"Range ({row}, {col}) exceeds grid limits of {sheet.title!r}."
                cell = sheet.cell(row, col)
                entered = data.get("userEnteredValue", {})
                cell.formula = entered.get("formulaValue")
                cell.value = _from_extended(entered)
        return None

    def _create_developer_metadata(self, key: str, args: dict[str, Any]) -> str | None:
        meta = args["developerMetadata"]
        where = meta["location"]["dimensionRange"]
        sheet = self._by_id(key, where["sheetId"])
        if where["dimension"] != "COLUMNS" or where["endIndex"] != where["startIndex"] + 1:
            return "This fake only keeps metadata on single columns."
        if where["endIndex"] > sheet.column_count:
            return f"Column {where['startIndex']} exceeds grid limits of {sheet.title!r}."
        self.next_metadata_id += 1
        sheet.markers.append(
            Marker(
                self.next_metadata_id,
                meta["metadataKey"],
                meta["metadataValue"],
                where["startIndex"],
            )
        )
        return None

    def _repeat_cell(self, key: str, args: dict[str, Any]) -> str | None:
        grid = args["range"]
        sheet = self._by_id(key, grid["sheetId"])
        fmt = args["cell"]["userEnteredFormat"]["numberFormat"]
        for row in range(grid["startRowIndex"], grid["endRowIndex"]):
            for col in range(grid["startColumnIndex"], grid["endColumnIndex"]):
                sheet.cell(row, col).number_format = fmt
        return None

    def _by_title(self, key: str, title: str) -> Worksheet:
        found = next((s for s in self.spreadsheets[key] if s.title == title), None)
        if found is None:
            raise UnknownRange(title)
        return found

    def _by_id(self, key: str, sheet_id: int) -> Worksheet:
        return next(s for s in self.spreadsheets[key] if s.sheet_id == sheet_id)


def _user_entered(text: str) -> Value:
    """What Sheets makes of pasted text: empty clears, numbers become numbers, rest is text."""
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return (
        int(number)
        if number.is_integer() and "." not in text and "e" not in text.lower()
        else number
    )


def _from_extended(value: dict[str, Any]) -> Value:
    """An ExtendedValue as entered: taken as it is typed (a stringValue "12" stays text); a
    formula's computed value is left unknown (None)."""
    if "numberValue" in value:
        number = value["numberValue"]
        return int(number) if isinstance(number, float) and number.is_integer() else number
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "stringValue" in value:
        return str(value["stringValue"]) or None
    return None


def _column(a1: str) -> int:
    """'C:C' → 2: the one whole column this fake reads at a time."""
    first, _, last = a1.partition(":")
    assert first == last, f"this fake reads one whole column at a time, not {a1}"
    return sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(first))) - 1


def _cell_json(cell: Cell, fields: str) -> str:
    value = cell.value
    if cell.formula is None and cell.note is None and cell.number_format is None:
        if value is None or value == "" or "effectiveValue" not in fields:
            return "{}"
        if type(value) is int or type(value) is float:
            return '{"effectiveValue":{"numberValue":%r}}' % value  # noqa: UP031 - hot path
    return json.dumps(cell.data(fields))


def _kind(method: str, path: str) -> Kind:
    """Which quota a request counts against, as Google classifies it."""
    if path.startswith("/drive/"):
        return Kind.DRIVE
    if method == "GET" or path.endswith((":getByDataFilter", ":batchGetByDataFilter")):
        return Kind.READ
    return Kind.WRITE


def _extended(value: Value) -> dict[str, Any]:
    """A value as an ExtendedValue."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": str(value)}


class UnknownRange(Exception):
    """A range naming a tab the spreadsheet doesn't have: Google answers 400."""


def _drive_disabled(project: str) -> dict[str, Any]:
    """Google's answer when the Drive API is not enabled for the caller's project."""
    message = (
        f"Google Drive API has not been used in project {project} before or it is disabled. "
        "Enable it by visiting https://console.developers.google.com/apis/api/"
        f"drive.googleapis.com/overview?project={project} then retry."
    )
    answer = _error(403, message, "PERMISSION_DENIED")
    answer["error"]["errors"] = [{"reason": "accessNotConfigured", "message": message}]
    return answer


def _error(code: int, message: str, status: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}


class _Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def do_GET(self) -> None:
        self._serve(b"")

    def do_POST(self) -> None:
        self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def do_PUT(self) -> None:
        self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _serve(self, body: bytes) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        with fake._lock:
            fake.log.append((self.command, path, len(body)))
            fault = fake.faults.pop(0) if fake.faults and path.startswith("/v4/") else None
        if fault is not None:
            status, headers = fault
            self._json(status, _error(status, "injected fault", "UNAVAILABLE"), headers)
        elif path == "/token":
            self._json(*fake.token({k: v[-1] for k, v in parse_qs(body.decode()).items()}))
        elif path.endswith("/allowedLocations"):  # google-auth's regional access boundary
            self._json(200, {"locations": [], "encodedLocations": "0x0"})
        elif (user := fake.tokens.get(self._bearer())) is None:
            message = "Request had invalid authentication credentials."
            self._json(401, _error(401, message, "UNAUTHENTICATED"))
        elif (retry := fake.quota.admit(user, _kind(self.command, path))) is not None:
            message = "Quota exceeded for quota metric 'Requests' per minute per user."
            self._json(429, _error(429, message, "RESOURCE_EXHAUSTED"), {"Retry-After": str(retry)})
        elif path.startswith("/drive/v3/files") and fake.drive_disabled is not None:
            self._json(403, _drive_disabled(fake.drive_disabled))
        elif path.startswith("/drive/v3/files"):
            self._json(*self._drive(fake, path, parse_qs(parts.query)))
        else:
            try:
                self._json(*self._api(fake, path, parse_qs(parts.query), body))
            except UnknownRange as error:
                message = f"Unable to parse range: {error}"
                self._json(400, _error(400, message, "INVALID_ARGUMENT"))

    def _bearer(self) -> str:
        return self.headers.get("Authorization", "").removeprefix("Bearer ")

    def _drive(
        self, fake: FakeGoogle, path: str, query: dict[str, list[str]]
    ) -> tuple[int, dict[str, Any]]:
        with fake._lock:
            files = fake.drive_files()
        if path == "/drive/v3/files":
            return list_files(files, query)
        wanted = path.removeprefix("/drive/v3/files/")
        found = next((f for f in files if f.id == wanted), None)
        if found is None:
            return 404, _error(404, f"File not found: {wanted}.", "NOT_FOUND")
        return 200, found.resource()

    def _api(
        self, fake: FakeGoogle, path: str, query: dict[str, list[str]], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        single = re.fullmatch(r"/v4/spreadsheets/([^/:]+)/values/(.+)", path)
        if single is not None and single[1] in fake.spreadsheets:
            return self._values(fake, single[1], single[2], body)
        match = re.fullmatch(r"/v4/spreadsheets/([^/:]+)(/values:batchGet|:batchUpdate)?", path)
        if match is None:
            return 404, _error(404, f"No route {path}", "NOT_FOUND")
        key, action = match.groups()
        if key not in fake.spreadsheets:
            return 404, _error(404, "Requested entity was not found.", "NOT_FOUND")
        reads_cells = action == "/values:batchGet" or (action is None and "ranges" in query)
        if reads_cells and fake.read_gate is not None:
            fake.read_gate.hold()
        if action is None:
            return 200, fake.metadata(key, query)
        if action == "/values:batchGet":
            return 200, fake.batch_get(key, query.get("ranges", []))
        return fake.batch_update(key, json.loads(body))

    def _values(
        self, fake: FakeGoogle, key: str, a1: str, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        """values.get and values.update on one range (the benchmark's baselines use them)."""
        if self.command == "PUT":
            return 200, fake.values_update(key, a1, json.loads(body))
        return 200, fake.batch_get(key, [a1])["valueRanges"][0]

    def _json(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        raw = payload.pop(RAW, [])
        text = json.dumps(payload)
        for index, fragment in enumerate(raw):
            text = text.replace(f'"@RAW{index}@"', fragment, 1)
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def write_service_account_key(
    path: Path, private_pem: str, client_email: str, fake_url: str
) -> Path:
    """A service-account key file shaped like Google's, whose token_uri is the fake's."""
    key = {
        "type": "service_account",
        "project_id": "test-project",
        "private_key_id": "k1",
        "private_key": private_pem,
        "client_email": client_email,
        "client_id": "1",
        "token_uri": fake_url + "token",
    }
    path.write_text(json.dumps(key))
    return path


@contextmanager
def running_fake_google(public_cert: bytes, client_email: str) -> Iterator[FakeGoogle]:
    """Serve a FakeGoogle on a free loopback port; ``fake.base_url`` ends with a slash."""
    with serving(_Handler, FakeGoogle(public_cert=public_cert, client_email=client_email)) as (
        fake,
        url,
    ):
        fake.base_url = url
        try:
            yield fake
        finally:
            if fake.read_gate is not None:
                fake.read_gate.go()  # let a held handler thread finish
