"""What people lost on Google sheets, each case replayed against the fake Sheets API.

Real gspread and google-auth over HTTP on loopback; the fake keeps developer metadata on
columns (moving with them), notes, formulas and number formats, as Google does.
"""

from __future__ import annotations

import pytest

from sheets.backends import MARKER_KEY, GoogleSheet
from sheets.client import ResilientHTTPClient
from sheets.errors import SheetLayoutError
from sheets.sync import Columns, sync
from tests.fakes.google_api import Cell, FakeGoogle, Value, Worksheet
from tests.sheets.conftest import KEY

PERCENT = {"type": "PERCENT", "pattern": "0.00%"}


def snapshot(sheet: Worksheet) -> list[list[tuple[Value, str | None, str | None]]]:
    return [[(c.value, c.formula, c.note) for c in row] for row in sheet.rows]


def put(google: FakeGoogle, rows: list[list[Value]], **grid: int) -> Worksheet:
    sheet = Worksheet.of("Daily", 0, rows, **grid)
    google.spreadsheets[KEY] = [sheet]
    return sheet


def kept(before: list[list[tuple[Value, str | None, str | None]]], sheet: Worksheet) -> None:
    """Every cell a person filled in before the sync is exactly as it was."""
    after = snapshot(sheet)
    for r, row in enumerate(before):
        for c, cell in enumerate(row):
            if cell != (None, None, None):
                assert after[r][c] == cell, (r, c)


def test_notes_without_a_header_are_not_written_over(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    sheet = put(
        google,
        [
            ["Campaign", "Impressions", "Clicks"],
            ["Search", 1000, 10, None, "call Ann re budget"],
            ["Social", 2000, 30, "approved"],
        ],
    )
    sheet.cell(2, 6).note = "a note, no value"  # Google's Insert note: no value in the cell
    before = snapshot(sheet)
    sync(GoogleSheet(client, KEY))
    kept(before, sheet)
    assert sheet.rows[0][7].value == "CTR"  # right of the last column holding anything
    assert sheet.column(7)[1:] == [0.01, 0.015]
    assert sheet.rows[0][8].value == "CTR status"


def test_a_kpi_box_above_the_table_is_left_alone(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    sheet = put(
        google,
        [
            ["Weekly report"],
            ["Total impressions", "Total clicks"],
            [3000, 40],
            [],
            ["Campaign", "Impressions", "Clicks"],
            ["Search", 1000, 10],
            ["Social", 2000, 30],
        ],
    )
    before = snapshot(sheet)
    result = sync(GoogleSheet(client, KEY))
    kept(before, sheet)
    assert result.layout.header_row == 4
    assert sheet.rows[4][3].value == "CTR"
    assert sheet.column(3)[5:] == [0.01, 0.015]
    assert sheet.column(3)[:4] == [None] * 4


def test_two_plausible_tables_are_refused_with_the_way_out(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    rows: list[list[Value]] = [
        ["Impressions", "Clicks"],
        [3000, 40],
        [5000, 70],
        ["Impressions", "Clicks"],
        [1000, 10],
        [2000, 30],
    ]
    sheet = put(google, rows)
    with pytest.raises(SheetLayoutError, match=r"row 1 .* row 4 .*--header-row"):
        sync(GoogleSheet(client, KEY))
    assert snapshot(sheet) == [[(v, None, None) for v in row] for row in rows]
    sync(GoogleSheet(client, KEY), Columns(header_row=4))
    assert sheet.column(2) == [None, None, None, "CTR", 0.01, 0.015]


@pytest.mark.parametrize("name", ["CTR (%)", "C.T.R.", "Ctr-Status", "ctr", "CTR Status "])
def test_a_persons_ctr_like_column_is_theirs(
    client: ResilientHTTPClient, google: FakeGoogle, name: str
) -> None:
    sheet = put(google, [["Impressions", "Clicks", name], [1000, 10, "4.5 %"], [2000, 30, "great"]])
    before = snapshot(sheet)
    sync(GoogleSheet(client, KEY))
    kept(before, sheet)
    assert sheet.rows[0][2].value == name
    assert sheet.rows[0][3].value == "CTR"


def test_a_ctr_column_with_a_formula_or_text_is_a_persons(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    sheet = put(google, [["Impressions", "Clicks", "CTR"], [1000, 10, 0.01], [2000, 30, 0.015]])
    sheet.rows[2][2] = Cell(0.015, formula="=C3/B3")
    before = snapshot(sheet)
    sync(GoogleSheet(client, KEY))
    kept(before, sheet)
    assert sheet.rows[0][3].value == "CTR"  # a column of its own, right of theirs
    assert sheet.column(3)[1:] == [0.01, 0.015]


def test_a_reused_ctr_column_is_adopted_marked_and_percent_formatted(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    sheet = put(
        google,
        [["Impressions", "Clicks", "CTR", "CTR status"], [1000, 10, 0.045599328655], [0, 0]],
    )
    sync(GoogleSheet(client, KEY))
    assert sheet.column(2) == ["CTR", 0.01, None]  # the stale number replaced
    assert "undefined" in str(sheet.column(3)[2])
    assert sheet.rows[1][2].number_format == PERCENT
    assert {(m.key, m.value, m.col) for m in sheet.markers} == {
        (MARKER_KEY, "ctr", 2),
        (MARKER_KEY, "status", 3),
    }


def test_a_persons_number_format_is_kept(client: ResilientHTTPClient, google: FakeGoogle) -> None:
    sheet = put(google, [["Impressions", "Clicks", "CTR"], [1000, 10, None]])
    custom = {"type": "PERCENT", "pattern": "0.0000%"}
    sheet.cell(1, 2).number_format = custom
    sync(GoogleSheet(client, KEY))
    assert sheet.rows[1][2].value == 0.01
    assert sheet.rows[1][2].number_format == custom


def test_marked_columns_are_found_after_a_rename_and_a_move(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    sheet = put(google, [["Campaign", "Impressions", "Clicks"], ["A", 1000, 10], ["B", 2000, 30]])
    sync(GoogleSheet(client, KEY))
    assert sheet.rows[0][3].value == "CTR"
    sheet.rows[0][3].value = "Click rate"  # a person renames our column...
    sheet.move_column(3, 0)  # ...drags it to the front...
    sheet.insert_column(1)  # ...and inserts a column of their own after it
    sheet.rows[1][3].value = 4000  # and A's impressions change
    before = snapshot(sheet)
    calls = len(google.api_calls())
    sync(GoogleSheet(client, KEY))
    assert sheet.rows[0][0].value == "Click rate"  # their name is kept
    assert sheet.column(0)[1:] == [0.0025, 0.015]
    assert sheet.column(1) == [None, None, None]  # their new column is untouched
    assert [row[2:5] for row in snapshot(sheet)] == [row[2:5] for row in before]
    assert len(google.api_calls()) - calls <= 4


def test_a_noop_sync_of_a_marked_sheet_costs_two_calls(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    put(google, [["Impressions", "Clicks"], [1000, 10]])
    sync(GoogleSheet(client, KEY))
    calls = len(google.api_calls())
    result = sync(GoogleSheet(client, KEY))
    assert result.writes == 0
    assert len(google.api_calls()) - calls == 2


def test_a_person_typing_into_the_tools_column_keeps_their_text(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    sheet = put(google, [["Impressions", "Clicks"], [1000, 10], [2000, 30]])
    sync(GoogleSheet(client, KEY))
    sheet.rows[2][2] = Cell("checked by Ann")
    sheet.rows[1][2] = Cell(0.01, formula="=B2/A2")
    result = sync(GoogleSheet(client, KEY))
    assert sheet.rows[2][2].value == "checked by Ann"
    assert sheet.rows[1][2].formula == "=B2/A2"
    assert {f.row for f in result.plan.flagged} == {2, 3}
    assert "left as it is" in str(sheet.rows[2][3].value)


@pytest.mark.parametrize(
    ("impressions_col", "clicks_col", "message"),
    [
        ("CTR", None, "names a column the sync writes"),
        ("Impressions", "CTR status", "names a column the sync writes"),
        ("Clicks", "Clicks", "two different columns"),
    ],
)
def test_overrides_may_not_point_at_owned_or_the_same_column(
    client: ResilientHTTPClient,
    google: FakeGoogle,
    impressions_col: str,
    clicks_col: str | None,
    message: str,
) -> None:
    rows: list[list[Value]] = [["Impressions", "Clicks", "CTR"], [1000, 10, 0.01]]
    sheet = put(google, rows)
    with pytest.raises(SheetLayoutError, match=message):
        sync(GoogleSheet(client, KEY), Columns(impressions_col, clicks_col))
    assert snapshot(sheet) == [[(v, None, None) for v in row] for row in rows]


def test_a_marked_column_named_as_an_override_is_refused(
    client: ResilientHTTPClient, google: FakeGoogle
) -> None:
    sheet = put(google, [["Impressions", "Clicks"], [1000, 10]])
    sync(GoogleSheet(client, KEY))
    sheet.rows[0][2].value = "Rate"  # renamed, still ours by its marker
    with pytest.raises(SheetLayoutError, match="one the sync writes"):
        sync(GoogleSheet(client, KEY), Columns(impressions="Rate"))


@pytest.mark.parametrize(("locale", "ctr"), [("de_DE", 0.005), ("en_US", None)])
def test_dot_grouped_text_counts_follow_the_sheets_locale(
    client: ResilientHTTPClient, google: FakeGoogle, locale: str, ctr: float | None
) -> None:
    google.locale = locale
    sheet = put(google, [["Impressions", "Clicks"], ["10.000", 50]])
    result = sync(GoogleSheet(client, KEY))
    assert sheet.rows[1][2].value == ctr
    if ctr is None:
        assert "ambiguous" in result.plan.flagged[0].reason
