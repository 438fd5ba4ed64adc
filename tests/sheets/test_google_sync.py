"""ctr-sheets against the fake Google: real gspread and google-auth over HTTP on loopback."""

from __future__ import annotations

import pytest

from sheets.backends import GoogleSheet
from sheets.client import MAX_TRIES, ResilientHTTPClient
from sheets.errors import SheetAccessError, SheetLayoutError, SheetsApiError
from sheets.sync import sync
from tests.fakes.google_api import Cell, FakeGoogle, Value, Worksheet
from tests.sheets.conftest import KEY, Sleeps, campaign_sheet

ROWS: list[list[Value]] = [
    ["2026-11-16", "Search", 50_000, 200, 10.5],
    ["2026-11-16", "Social", "1,000", 50, 3.0],
    ["2026-11-17", "Video", 100, 500, 1.0],  # clicks > impressions
    [None, None, None, None, None],  # a blank row stays blank
    ["2026-11-18", "Email", 0, 0, 0.0],  # zero impressions
]


@pytest.fixture
def sheet(google: FakeGoogle) -> Worksheet:
    daily = campaign_sheet([list(r) for r in ROWS])
    daily.rows[1][4] = Cell(10.5, formula="=B2*0.1")  # a person's formula in Cost
    other = Worksheet.of("Notes", 7, [["keep", "me"]])
    google.spreadsheets[KEY] = [daily, other]
    return daily


def ctr_column(sheet: Worksheet) -> list[object]:
    return [row[5].value if len(row) > 5 else None for row in sheet.rows]


def test_first_sync_fills_percent_formatted_ctr_and_flags_bad_rows(
    client: ResilientHTTPClient, google: FakeGoogle, sheet: Worksheet
) -> None:
    result = sync(GoogleSheet(client, KEY))
    assert ctr_column(sheet) == ["CTR", 0.004, 0.05, None, None, None]
    statuses = [row[6].value if len(row) > 6 else None for row in sheet.rows]
    assert statuses[0] == "CTR status"
    assert "can't exceed impressions" in str(statuses[3])
    assert statuses[4] is None
    assert "undefined with 0 impressions" in str(statuses[5])
    assert sheet.rows[1][5].number_format == {"type": "PERCENT", "pattern": "0.00%"}
    assert [f.row for f in result.plan.flagged] == [4, 6]
    assert len(google.api_calls()) <= 4
    assert sheet.column_count == 7


def test_nothing_a_person_typed_changes(
    client: ResilientHTTPClient, google: FakeGoogle, sheet: Worksheet
) -> None:
    before = [[(c.value, c.formula, c.number_format) for c in row[:5]] for row in sheet.rows]
    notes = [[c.value for c in row] for row in google.spreadsheets[KEY][1].rows]
    sync(GoogleSheet(client, KEY))
    assert [
        [(c.value, c.formula, c.number_format) for c in row[:5]] for row in sheet.rows
    ] == before
    assert [[c.value for c in row] for row in google.spreadsheets[KEY][1].rows] == notes
    assert sheet.rows[1][4].formula == "=B2*0.1"


def test_resync_sends_zero_writes_in_two_calls(
    client: ResilientHTTPClient, google: FakeGoogle, sheet: Worksheet
) -> None:
    sync(GoogleSheet(client, KEY))
    google.log.clear()
    result = sync(GoogleSheet(client, KEY))
    assert result.writes == 0
    assert google.writes() == []
    assert len(google.api_calls()) == 2


def test_only_changed_cells_are_rewritten(
    client: ResilientHTTPClient, google: FakeGoogle, sheet: Worksheet
) -> None:
    sync(GoogleSheet(client, KEY))
    sheet.rows[2][3].value = 100  # a person corrects Social's clicks
    google.log.clear()
    result = sync(GoogleSheet(client, KEY))
    assert [(c.row, c.col, c.value) for c in result.plan.changes] == [(2, 5, 0.1)]
    assert ctr_column(sheet)[2] == 0.1
    assert len(google.writes()) == 1


def test_rows_inserted_between_read_and_write_get_no_misattributed_ctr(
    client: ResilientHTTPClient, google: FakeGoogle, sheet: Worksheet
) -> None:
    def person_inserts_a_row(fake: FakeGoogle, key: str) -> None:
        fake.spreadsheets[key][0].insert_row(1, ["2026-11-15", "Display", 8_000, 8, 1.0])

    google.before_write = person_inserts_a_row
    result = sync(GoogleSheet(client, KEY))
    assert result.repairs >= 1
    for row in sheet.rows[1:]:
        impressions, clicks = row[2].value, row[3].value
        ctr = row[5].value if len(row) > 5 else None
        if isinstance(impressions, int) and isinstance(clicks, int) and 0 < clicks <= impressions:
            assert ctr == pytest.approx(clicks / impressions, rel=1e-11), row
    assert ctr_column(sheet)[1] == 0.001  # the inserted Display row


def test_429_and_503_are_retried_honouring_retry_after(
    client: ResilientHTTPClient, google: FakeGoogle, sheet: Worksheet, sleeps: Sleeps
) -> None:
    google.faults = [(429, {"Retry-After": "7"}), (503, {})]
    sync(GoogleSheet(client, KEY))
    assert sleeps[0] == 7
    assert 0.5 <= sleeps[1] <= 2.0  # exponential backoff with jitter: 2**1 x [0.5, 1)
    assert ctr_column(sheet)[1] == 0.004


def test_persistent_failure_ends_with_a_clear_error(
    client: ResilientHTTPClient, google: FakeGoogle, sheet: Worksheet, sleeps: Sleeps
) -> None:
    google.faults = [(503, {})] * MAX_TRIES
    with pytest.raises(SheetsApiError, match=f"after {MAX_TRIES} tries: 503"):
        sync(GoogleSheet(client, KEY))
    assert len(sleeps) == MAX_TRIES - 1


def test_worksheet_by_gid_and_unknown_sheets(
    client: ResilientHTTPClient, google: FakeGoogle, sheet: Worksheet
) -> None:
    google.spreadsheets[KEY][1] = campaign_sheet([["2026-11-16", "X", 10, 1, 0]], "Other", 7)
    sync(GoogleSheet(client, KEY, gid=7))
    assert google.spreadsheets[KEY][1].rows[1][5].value == 0.1
    assert len(sheet.rows[0]) == 5  # the first worksheet was not touched
    with pytest.raises(SheetLayoutError, match="no gid=99"):
        sync(GoogleSheet(client, KEY, gid=99))
    with pytest.raises(SheetAccessError, match="404"):
        sync(GoogleSheet(client, "1NoSuchSpreadsheetKey_xxxxxx"))


def test_token_comes_from_the_keys_token_uri(
    client: ResilientHTTPClient, google: FakeGoogle, sheet: Worksheet
) -> None:
    sync(GoogleSheet(client, KEY))
    paths = [path for _, path, _ in google.log]
    assert paths[0] == "/token"
    assert google.tokens
