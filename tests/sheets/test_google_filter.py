"""Sheets with a basic filter hiding rows: every write lands on the row it was planned for.

pasteData acts like a paste in the UI: its lines go only into the rows the filter shows
(googleapis/google-api-php-client-services#329), so the sync never pastes: it writes typed
values at exact addresses. Real gspread over HTTP against the fake, which pastes the same way.
"""

from __future__ import annotations

import pytest

from sheets.backends import GoogleSheet
from sheets.client import ResilientHTTPClient
from sheets.sync import sync
from tests.fakes.google_api import Cell, FakeGoogle, Value, Worksheet
from tests.sheets.conftest import KEY, campaign_sheet

PERCENT = {"type": "PERCENT", "pattern": "0.00%"}


def put(google: FakeGoogle, rows: list[list[Value]]) -> Worksheet:
    sheet = Worksheet.of("Daily", 0, rows, row_count=len(rows), column_count=len(rows[0]))
    google.spreadsheets[KEY] = [sheet]
    return sheet


def own_ctr(sheet: Worksheet, row: int, impressions: int, clicks: int) -> float:
    values = sheet.rows[row]
    return int(values[clicks].value or 0) / int(values[impressions].value or 1)


def test_the_fake_shows_the_filter_under_its_mask_and_pastes_around_hidden_rows(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    header: list[Value] = ["Impressions", "Clicks"]
    rows: list[list[Value]] = [header] + [[100, 1] for _ in range(5)]
    sheet = put(google, rows)
    sheet.set_basic_filter(hidden={2, 3})
    plain = client.fetch_sheet_metadata(KEY, params={"fields": "sheets.properties"})
    assert "basicFilter" not in plain["sheets"][0]
    masked = client.fetch_sheet_metadata(
        KEY, params={"fields": "sheets(properties.sheetId,basicFilter.range)"}
    )
    assert masked["sheets"][0]["basicFilter"] == {
        "range": {"endRowIndex": 6, "endColumnIndex": 2}  # Google leaves zeros out
    }
    at_b2 = {"sheetId": 0, "rowIndex": 1, "columnIndex": 1}
    paste = {"coordinate": at_b2, "data": "a\nb\nc", "type": "PASTE_VALUES", "delimiter": "\t"}
    client.batch_update(KEY, {"requests": [{"pasteData": paste}]})
    assert sheet.column(1) == ["Clicks", "a", 1, 1, "b", "c"]  # rows 3 and 4 skipped
    cells = [{"userEnteredValue": {"numberValue": 0.5}}, {"userEnteredValue": {"stringValue": "7"}}]
    update = {
        "start": {"sheetId": 0, "rowIndex": 2, "columnIndex": 1},
        "rows": [{"values": [cell]} for cell in cells],
        "fields": "userEnteredValue",
    }
    client.batch_update(KEY, {"requests": [{"updateCells": update}]})
    assert sheet.column(1) == ["Clicks", "a", 0.5, "7", "b", "c"]  # exact rows, typed as sent


def test_a_filtered_sheet_gets_each_rows_own_ctr_and_a_persons_cells_are_kept(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    rows: list[list[Value]] = [["Campaign", "Impressions", "Clicks"]]
    rows += [[f"C{i}", 1000 * i, 10 * i] for i in range(1, 10)]
    sheet = put(google, rows)
    sync(GoogleSheet(client, KEY))  # the tool's CTR (D) and CTR status (E), marked
    assert [c.value for c in sheet.rows[0][3:5]] == ["CTR", "CTR status"]
    sheet.rows[6][3] = Cell("checked by Ann")  # a person's text just below rows 2-5
    sheet.rows[8][3] = Cell(0.01, formula="=C9/B9")  # and a formula just below row 7
    for row in (2, 3, 4, 5, 7):
        sheet.rows[row][2].value = 7 * row  # new clicks: CTR runs at rows 2-5 and 7
    sheet.set_basic_filter(hidden={3, 4, 7})  # a person filters some rows out of view
    google.received.clear()

    sync(GoogleSheet(client, KEY))

    assert set(google.received) == {"updateCells"}  # exact addresses: no paste

    for row in (1, 2, 3, 4, 5, 7, 9):
        assert sheet.rows[row][3].value == pytest.approx(own_ctr(sheet, row, 1, 2), rel=1e-11)
    assert sheet.rows[6][3] == Cell("checked by Ann")
    assert sheet.rows[8][3] == Cell(0.01, formula="=C9/B9")
    assert "left as it is" in str(sheet.rows[6][4].value)
    assert [sheet.cell(r, 4).value for r in (1, 2, 3, 4, 5, 7, 9)] == [None] * 7
    google.log.clear()
    again = sync(GoogleSheet(client, KEY))
    assert again.writes == 0
    assert google.writes() == []
    assert len(google.api_calls()) == 2


def test_a_first_sync_of_a_filtered_sheet_fills_every_row_in_four_calls(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    daily = campaign_sheet([["2026-11-16", f"C{i}", 100 * i, i, 1.0] for i in range(1, 8)])
    daily.rows[4][3].value = 900  # clicks > impressions: flagged in a hidden row
    daily.set_basic_filter(hidden={2, 4, 5})
    google.spreadsheets[KEY] = [daily]

    result = sync(GoogleSheet(client, KEY))

    assert "pasteData" not in google.received
    assert daily.column(5)[0] == "CTR"
    assert daily.column(6)[0] == "CTR status"
    for row in (1, 2, 3, 5, 6, 7):
        assert daily.rows[row][5].value == pytest.approx(own_ctr(daily, row, 2, 3), rel=1e-11)
        assert daily.cell(row, 6).value is None
        assert daily.rows[row][5].number_format == PERCENT
    assert daily.rows[4][5].value is None
    assert "can't exceed impressions" in str(daily.rows[4][6].value)
    assert [f.row for f in result.plan.flagged] == [5]
    assert len(google.api_calls()) == 4
    google.log.clear()
    assert sync(GoogleSheet(client, KEY)).writes == 0
    assert len(google.api_calls()) == 2


def test_an_unfiltered_sheet_is_written_typed_at_exact_addresses_too(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    put(google, [["Impressions", "Clicks"], [1000, 10], [2000, 30]])
    sync(GoogleSheet(client, KEY))
    assert "pasteData" not in google.received
    assert "updateCells" in google.received
