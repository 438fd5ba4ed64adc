"""Sheets with a basic filter hiding rows: every write lands on the row it was planned for.

pasteData acts like a paste in the UI: its lines go only into the rows the filter shows
(googleapis/google-api-php-client-services#329). Real gspread over HTTP against the fake, which
pastes the same way.
"""

from __future__ import annotations

from sheets.client import ResilientHTTPClient
from tests.fakes.google_api import FakeGoogle, Value, Worksheet
from tests.sheets.conftest import KEY

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
    sheet = put(google, [["Impressions", "Clicks"], *([100, 1] for _ in range(5))])
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
