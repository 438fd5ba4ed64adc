"""Everything a person set in a Google sheet is theirs (issue #15, classes 2, 3, 6, 7 and the
typed CTR), replayed against the fake Sheets API through real gspread and google-auth.

The rule: a column where a person set anything (value, formula, note, a format, a dropdown, a
merge, a hidden column, protection, a conditional format) in any row is used; the tool's new
columns go right of every used column, growing the grid when needed, and the tool never
changes a property it did not set.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from sheets.backends import MARKER_KEY, GoogleSheet
from sheets.cli import EXIT_OK, EXIT_USAGE, main
from sheets.client import ResilientHTTPClient, make_client
from sheets.errors import SheetsRequestRefused
from sheets.google_requests import marker_id
from sheets.settings import SheetsSettings
from sheets.sync import SyncResult, sync
from tests.fakes.google_api import COMMA_DECIMAL_LOCALES, FakeGoogle, Marker, Value, Worksheet
from tests.sheets.conftest import HEADER, KEY

CURRENCY = {"numberFormat": {"type": "CURRENCY", "pattern": '"€"#,##0.00'}}
FILL = {"backgroundColor": {"red": 1.0, "green": 0.9, "blue": 0.6}}
DROPDOWN = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "ok"}]}}
ROWS: list[list[Value]] = [["2026-11-16", f"C{i}", 1000 * i, 10 * i, 1.5] for i in range(1, 6)]


def put(google: FakeGoogle, columns: int = 8) -> Worksheet:
    """The campaign table in A:E of a grid ``columns`` wide: F onwards is free."""
    sheet = Worksheet.of("Daily", 0, [HEADER, *ROWS], row_count=10, column_count=columns)
    google.spreadsheets[KEY] = [sheet]
    return sheet


def everything(sheet: Worksheet) -> tuple[Any, ...]:
    """Every property of every cell, and every sheet-wide thing a person can set."""
    cells = {
        (r, c): cell.snapshot()
        for r, row in enumerate(sheet.rows)
        for c, cell in enumerate(row)
        if not cell.is_blank()
    }
    return cells, sheet.merges, sheet.protected, sheet.conditional, sheet.hidden_columns


def kept(before: tuple[Any, ...], sheet: Worksheet, owned: set[int]) -> None:
    """Nothing a person set changed; the tool's columns were blank before it took them."""
    cells, *rest = everything(sheet)
    for (r, c), props in before[0].items():
        assert cells.get((r, c)) == props, (r, c)
    assert not {c for _, c in before[0]} & owned
    assert [*before[1:]] == rest


PersonAction = Callable[[Worksheet], None]
ACTION_RANGE = {"startColumnIndex": 5, "endColumnIndex": 6}
# What a person does right of the table, and the first column right of all of it.
ACTIONS: dict[str, tuple[PersonAction, int]] = {
    "currency format on a column": (lambda s: s.format_column(5, CURRENCY), 6),
    "a fill on one cell far down": (lambda s: s.format_range(range(8, 9), range(6, 7), FILL), 7),
    "a dropdown column": (lambda s: s.validate_column(5, DROPDOWN), 6),
    "a hidden column": (lambda s: s.hidden_columns.add(6), 7),
    "a merged title over F:G": (lambda s: s.merge(range(7, 8), range(5, 7)), 7),
    "a protected column": (lambda s: s.protect(dict(ACTION_RANGE)), 6),
    "a conditional format": (
        lambda s: s.add_conditional_format(
            {"startRowIndex": 1, "startColumnIndex": 5, "endColumnIndex": 7}
        ),
        7,
    ),
}


@pytest.mark.parametrize(("action", "free"), ACTIONS.values(), ids=ACTIONS.keys())
def test_new_columns_go_right_of_everything_a_person_set(
    client: ResilientHTTPClient, google: FakeGoogle, action: PersonAction, free: int
) -> None:
    sheet = put(google)
    action(sheet)
    before = everything(sheet)

    result = sync(GoogleSheet(client, KEY))

    assert (result.layout.ctr, result.layout.status) == (free, free + 1)
    kept(before, sheet, {free, free + 1})
    assert sheet.rows[1][free].value == pytest.approx(0.01)
    assert sheet.rows[1][free].number_format == {"type": "PERCENT", "pattern": "0.00%"}
    assert sync(GoogleSheet(client, KEY)).writes == 0


def test_the_fake_answers_what_a_person_set_under_the_field_mask(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    sheet = put(google)
    for action, _ in ACTIONS.values():
        action(sheet)
    sheet.cell(2, 1).note = "Ann's"
    plain = client.fetch_sheet_metadata(KEY, params={"fields": "sheets(properties,data.rowData)"})
    assert set(plain["sheets"][0]) == {"properties", "data"}  # nothing the mask didn't name
    fields = (
        "sheets(merges,protectedRanges.range,conditionalFormats.ranges,"
        "data(columnMetadata.hiddenByUser,rowData.values(note,userEnteredFormat,dataValidation)))"
    )
    found = client.fetch_sheet_metadata(KEY, params={"fields": fields})["sheets"][0]
    assert found["merges"] == sheet.merges
    assert found["protectedRanges"][0]["range"] == {"sheetId": 0, **ACTION_RANGE}
    assert found["conditionalFormats"][0]["ranges"][0]["endColumnIndex"] == 7
    data = found["data"][0]
    assert [c.get("hiddenByUser", False) for c in data["columnMetadata"]][5:8] == [
        False,
        True,
        False,
    ]
    rows = data["rowData"]
    assert rows[0]["values"][5] == {"userEnteredFormat": CURRENCY}  # the header's plain cells: {}
    assert rows[0]["values"][0] == {}
    assert rows[2]["values"][1] == {"note": "Ann's"}
    assert rows[3]["values"][5] == {"userEnteredFormat": CURRENCY, "dataValidation": DROPDOWN}
    assert rows[8]["values"][6] == {"userEnteredFormat": FILL}


@pytest.mark.parametrize("protected", [False, True], ids=["format", "protection"])
def test_a_sheet_wide_setting_grows_the_grid(
    client: ResilientHTTPClient, google: FakeGoogle, protected: bool
) -> None:
    sheet = put(google)
    if protected:
        sheet.protect({})  # the whole sheet (a range without bounds)
    else:
        sheet.format_sheet(FILL)  # select all, then a fill: every cell of the grid
    before = everything(sheet)

    result = sync(GoogleSheet(client, KEY))

    assert (result.layout.ctr, result.layout.status, sheet.column_count) == (8, 9, 10)
    kept(before, sheet, {8, 9})
    assert sync(GoogleSheet(client, KEY)).writes == 0


def test_the_budget_holds_with_what_a_person_set(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    sheet = put(google)
    for action, _ in ACTIONS.values():
        action(sheet)
    sync(GoogleSheet(client, KEY))
    assert len(google.api_calls()) == 4
    google.log.clear()
    assert sync(GoogleSheet(client, KEY)).writes == 0
    assert len(google.api_calls()) == 2


@pytest.mark.parametrize("locale", ["en_US", "de_CH", "es_MX", *sorted(COMMA_DECIMAL_LOCALES)])
def test_a_ctr_goes_in_as_a_number_in_every_locale(
    client: ResilientHTTPClient, google: FakeGoogle, locale: str
) -> None:
    google.locale = locale
    sheet = put(google)
    sync(GoogleSheet(client, KEY))
    ctrs = [sheet.rows[r][5].value for r in range(1, 6)]
    assert all(type(v) is float for v in ctrs), ctrs
    assert ctrs == pytest.approx([0.01] * 5)


def second_client(env: dict[str, str]) -> ResilientHTTPClient:
    """Another process's client: its own session and token."""
    return make_client(SheetsSettings.from_env(env))[0]


def test_two_first_syncs_at_once_add_the_columns_once(
    client: ResilientHTTPClient, google: FakeGoogle, env: dict[str, str]
) -> None:
    sheet = put(google, columns=5)
    held = google.hold_next_write()
    results: list[SyncResult] = []
    errors: list[BaseException] = []

    def first() -> None:
        try:
            results.append(sync(GoogleSheet(client, KEY)))
        except BaseException as error:  # reported by the test below
            errors.append(error)

    thread = threading.Thread(target=first)
    thread.start()
    assert held.arrived.wait(60)  # the first sync read the sheet and sent its write
    results.append(sync(GoogleSheet(second_client(env), KEY)))  # reads, writes first
    held.go()
    thread.join(60)

    assert not errors
    assert len(results) == 2
    assert sheet.column_count == 7
    assert [c.value for c in sheet.rows[0]] == [*HEADER, "CTR", "CTR status"]
    kinds = sorted((m.value, m.col) for m in sheet.markers if m.key == MARKER_KEY)
    assert kinds == [("ctr", 5), ("status", 6)]
    assert [sheet.rows[r][5].value for r in range(1, 6)] == pytest.approx([0.01] * 5)


def test_a_marker_id_taken_by_something_else_is_an_error_not_a_loop(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    sheet = put(google)
    sheet.markers.append(Marker(marker_id(0, "ctr"), "another.tool", "x", 0))
    with pytest.raises(SheetsRequestRefused, match="already exists"):
        sync(GoogleSheet(client, KEY))
    assert sheet.column_count == 8  # the refused batch changed nothing
    assert len(sheet.markers) == 1
    assert [c.value for c in sheet.rows[0]] == HEADER  # its header cells rolled back too


def test_a_gid_and_a_worksheet_naming_different_tabs_are_refused(
    env: dict[str, str],
    google: FakeGoogle,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    daily = Worksheet.of("Daily", 0, [HEADER, *ROWS])
    weekly = Worksheet.of("Weekly", 3, [HEADER, *ROWS])
    google.spreadsheets[KEY] = [daily, weekly]
    url = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=3"

    assert main(["sync", url, "--worksheet", "Daily"]) == EXIT_USAGE
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    for named in ("'Weekly'", "'Daily'", "--worksheet"):
        assert named in error
    assert google.writes() == []
    assert main(["sync", f"{url[:-1]}9", "--worksheet", "Daily"]) == EXIT_USAGE  # no gid=9
    assert google.writes() == []
    capsys.readouterr()

    # A tab the spreadsheet doesn't have is a mistake in what was asked, not Google failing.
    assert main(["sync", KEY, "--worksheet", "Nope"]) == EXIT_USAGE
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "'Daily', 'Weekly'" in error
    assert main(["sync", url, "--worksheet", "Weekly"]) == EXIT_OK  # both name one tab
    assert weekly.rows[0][5].value == "CTR"
    assert len(daily.rows[0]) == 5
