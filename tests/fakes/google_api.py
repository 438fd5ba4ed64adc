"""A small Google Sheets API v4 and OAuth token endpoint on 127.0.0.1, for gspread/google-auth.

In-memory worksheets (tests/fakes/google_grid.py: values, formulas, notes, formats, data
validation, merges, hidden columns, protected ranges, conditional formats, developer metadata
on columns, a basic filter) behind ``spreadsheets.get`` with ranges, field masks and grid data,
``values.batchGet`` and an atomic ``spreadsheets.batchUpdate``; a request log with body sizes;
fault injection (status codes with Retry-After); a hook run before a write is applied, to play
a person editing the sheet between our read and our write; and gates holding the next read or
write, to run two syncs into each other deterministically.

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

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import jwt

from tests.fakes.google_drive import DriveFile, list_files, rfc3339
from tests.fakes.google_grid import (
    ALL_CELL_FIELDS,
    BasicFilter,
    Cell,
    Marker,
    Value,
    Worksheet,
    columns_of,
)
from tests.fakes.google_quota import FakeQuota, Kind, VirtualClock
from tests.fakes.http import FakeServer, Gate, serving

__all__ = ["BasicFilter", "Cell", "FakeGoogle", "Marker", "Value", "Worksheet"]
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
RAW = "__raw_json__"  # key of JSON fragments an answer embeds as they are
PERSON = "someone@example.com"  # who edits a sheet when a test does


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
    write_gate: Gate | None = None  # holds the next batchUpdate until the test says go
    listing_gate: Gate | None = None  # holds the next Drive files.list until the test says go
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Reads and batches one at a time, as Google serialises a spreadsheet's edits.
    _apply: threading.RLock = field(default_factory=threading.RLock)
    _undo: list[tuple[object, str, object]] = field(default_factory=list)

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

    def hold_next_write(self) -> Gate:
        """Hold the next batchUpdate (before it is applied) until ``gate.go()``."""
        self.write_gate = Gate()
        return self.write_gate

    def hold_next_listing(self) -> Gate:
        """Hold the next Drive files.list (a replica is then mid-listing) until ``gate.go()``."""
        self.listing_gate = Gate()
        return self.listing_gate

    def api_calls(self) -> list[tuple[str, str, int]]:
        return [entry for entry in self.log if entry[1].startswith("/v4/")]

    def writes(self) -> list[tuple[str, str, int]]:
        return [entry for entry in self.api_calls() if entry[0] == "POST"]

    # Endpoints ---------------------------------------------------------------------------

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        # google-auth signs for Google's token audience and POSTs to the key's token_uri.
        claims = jwt.decode(  # type: ignore[no-untyped-call]
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
            sheet.update(s.sheet_extras(fields))
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
        """spreadsheets.batchUpdate: "all subrequests in the batch update are applied
        atomically. If any request is not valid, then the entire update will fail and none of
        the (potentially dependent) changes are applied" (guides/batch). Batches are applied
        one at a time; a failed one is rolled back from a journal of what it changed."""
        if self.before_write is not None:
            hook, self.before_write = self.before_write, None
            hook(self, key)
        with self._apply:
            self._undo = []
            replies: list[dict[str, Any]] = []
            for index, request in enumerate(body["requests"]):
                ((kind, args),) = request.items()
                self.received.append(kind)
                name = "_" + re.sub(r"(?<!^)(?=[A-Z])", "_", kind).lower()
                error = getattr(self, name)(key, args)
                if error:
                    for thing, attribute, value in reversed(self._undo):
                        setattr(thing, attribute, value)
                    message = f"Invalid requests[{index}].{kind}: {error}"
                    return 400, _error(400, message, "INVALID_ARGUMENT")
                replies.append({})
            self.touch(key, self.client_email)
        return 200, {"spreadsheetId": key, "replies": replies}

    def _keep(self, thing: object, *names: str) -> None:
        """Journal ``thing``'s attributes before a request changes them (lists copied): a
        tuple a cell, as a 100k-row write journals 100k of them."""
        for name in names:
            value = getattr(thing, name)
            self._undo.append((thing, name, list(value) if isinstance(value, list) else value))

    def _append_dimension(self, key: str, args: dict[str, Any]) -> str | None:
        """appendDimension: rows or columns at the end of the grid, blank (nothing a person
        set reaches them; ranges with explicit bounds don't grow)."""
        sheet = self._by_id(key, args["sheetId"])
        self._keep(sheet, "row_count", "column_count")
        if args["dimension"] == "COLUMNS":
            sheet.column_count += args["length"]
        else:
            sheet.row_count += args["length"]
        return None

    def _paste_data(self, key: str, args: dict[str, Any]) -> str | None:
        """As a paste in the UI: each line goes to the next row the basic filter shows
        (googleapis/google-api-php-client-services#329: a paste aimed at a hidden row lands
        in the next visible one), and its text is read in the spreadsheet's locale: in a
        decimal-comma locale "0.004" is not a number there and stays text."""
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
                self._keep(cell, "value", "formula")
                cell.value, cell.formula = _user_entered(text, self.locale), None
            row += 1
        return None

    def _update_cells(self, key: str, args: dict[str, Any]) -> str | None:
        """updateCells from ``start`` (or a ``range``'s corner, the rest of the range cleared)
        at exact addresses, hidden rows included. Only what ``fields`` names changes (this
        fake takes ``userEnteredValue``): formats, notes and validation stay."""
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
                self._keep(cell, "value", "formula")
                entered = data.get("userEnteredValue", {})
                cell.formula = entered.get("formulaValue")
                cell.value = _from_extended(entered)
        return None

    def _create_developer_metadata(self, key: str, args: dict[str, Any]) -> str | None:
        """createDeveloperMetadata on one column. A ``metadataId`` given must be positive and
        unique in the spreadsheet ("the spreadsheet-scoped unique ID ... IDs may be specified
        when metadata is created, otherwise one will be randomly generated"): one that exists
        already fails the request, and with it the whole batch."""
        meta = args["developerMetadata"]
        where = meta["location"]["dimensionRange"]
        sheet = self._by_id(key, where["sheetId"])
        if where["dimension"] != "COLUMNS" or where["endIndex"] != where["startIndex"] + 1:
            return "This fake only keeps metadata on single columns."
        if where["endIndex"] > sheet.column_count:
            return f"Column {where['startIndex']} exceeds grid limits of {sheet.title!r}."
        wanted = meta.get("metadataId")
        taken = {m.metadata_id for s in self.spreadsheets[key] for m in s.markers}
        if wanted is not None and (wanted <= 0 or wanted in taken):
            return f"Developer metadata with ID {wanted} already exists or is invalid."
        if wanted is None:
            self.next_metadata_id += 1
            while self.next_metadata_id in taken:
                self.next_metadata_id += 1
        self._keep(sheet, "markers")
        sheet.markers.append(
            Marker(
                wanted or self.next_metadata_id,
                meta["metadataKey"],
                meta["metadataValue"],
                where["startIndex"],
            )
        )
        return None

    def _repeat_cell(self, key: str, args: dict[str, Any]) -> str | None:
        """repeatCell of a number format: only ``userEnteredFormat.numberFormat`` changes (the
        field mask), a fill or font set on the cell stays."""
        if args.get("fields") != "userEnteredFormat.numberFormat":
            return "This fake's repeatCell only takes fields='userEnteredFormat.numberFormat'."
        grid = args["range"]
        sheet = self._by_id(key, grid["sheetId"])
        fmt = args["cell"]["userEnteredFormat"]["numberFormat"]
        for row in range(grid["startRowIndex"], grid["endRowIndex"]):
            for col in columns_of(grid, sheet.column_count):
                if row >= sheet.row_count or col >= sheet.column_count:
                    return f"Range ({row}, {col}) exceeds grid limits of {sheet.title!r}."
                cell = sheet.cell(row, col)
                self._keep(cell, "format")
                cell.number_format = fmt
        return None

    def _by_title(self, key: str, title: str) -> Worksheet:
        found = next((s for s in self.spreadsheets[key] if s.title == title), None)
        if found is None:
            raise UnknownRange(title)
        return found

    def _by_id(self, key: str, sheet_id: int) -> Worksheet:
        return next(s for s in self.spreadsheets[key] if s.sheet_id == sheet_id)


# Locales this fake writes decimals with a comma in (a few, for tests; not Google's list).
COMMA_DECIMAL_LOCALES = frozenset({"de_DE", "fr_FR", "es_ES", "it_IT", "pt_BR", "nl_NL", "ru_RU"})


def _user_entered(text: str, locale: str = "en_US") -> Value:
    """What Sheets makes of pasted text: empty clears, numbers written in the locale's own
    notation become numbers, the rest is text."""
    if text == "":
        return None
    if locale in COMMA_DECIMAL_LOCALES:
        if "." in text or "e" in text.lower():
            return text  # not a number as this locale writes one
        text = text.replace(",", ".")
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
    return sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(first))) - 1  # type: ignore[no-any-return]


def _kind(method: str, path: str) -> Kind:
    """Which quota a request counts against, as Google classifies it."""
    if path.startswith("/drive/"):
        return Kind.DRIVE
    if method == "GET" or path.endswith((":getByDataFilter", ":batchGetByDataFilter")):
        return Kind.READ
    return Kind.WRITE


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
            if fake.listing_gate is not None:
                fake.listing_gate.hold()
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
        if action == ":batchUpdate":
            if fake.write_gate is not None:
                fake.write_gate.hold()
            return fake.batch_update(key, json.loads(body))
        with fake._apply:  # a read sees a batch whole or not at all
            if action is None:
                return 200, fake.metadata(key, query)
            return 200, fake.batch_get(key, query.get("ranges", []))

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


def throwaway_key_pair() -> tuple[bytes, bytes]:
    """A fresh RSA key as (private PKCS#8 PEM, public PEM): the fake checks JWTs against the
    public half, a service-account key file carries the private one."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return private, public


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
            for gate in (fake.read_gate, fake.write_gate, fake.listing_gate):
                if gate is not None:
                    gate.go()  # let a held handler thread finish
