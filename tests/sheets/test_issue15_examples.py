"""Issue #15's examples for the pure sheet logic: each failed before its class was fixed."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.counts import parse_count
from core.errors import InputError
from sheets.cli import EXIT_FLAGGED, EXIT_USAGE, main
from sheets.errors import SheetLayoutError
from sheets.headers import Cell, find_layout
from sheets.locales import numerals
from sheets.ownership import Evidence
from sheets.plan import plan


def test_class1_a_persons_words_in_the_status_column_are_kept() -> None:
    grid: list[list[Cell]] = [
        ["Impressions", "Clicks", "CTR", "CTR status"],
        [1000, 10, 0.01, "Clicks look low, check the tracking."],
        [1000, 5000, None, "Clicks (5,000) can't exceed impressions (1,000)."],
    ]
    layout = find_layout(grid)
    # One cell a person wrote makes the status column theirs: the tool adds its own.
    assert layout.status == 4
    result = plan(grid, layout)
    assert all(change.col != 3 for change in result.changes)


def test_class1_a_persons_number_in_the_ctr_column_is_not_the_tools() -> None:
    grid: list[list[Cell]] = [["Impressions", "Clicks", "CTR"], [1000, 10, 12.5]]
    assert find_layout(grid).ctr == 3  # 12.5 (a percent typed by hand) is no CTR the tool writes


def test_class4_a_summary_table_beside_the_main_one_is_refused() -> None:
    grid: list[list[Cell]] = [
        ["Campaign", "Impressions", "Clicks"],
        ["a", 1000, 10, None, None, "Impressions", "Clicks"],
        ["b", 2000, 20, None, None, 3000, 30],
        ["c", 3000, 30, None, None, 3000, 30],
        ["d", 3000, 30],
    ]
    with pytest.raises(SheetLayoutError, match="--header-row 1"):
        find_layout(grid)


def test_class4_a_two_row_header_is_refused() -> None:
    grid: list[list[Cell]] = [
        ["Campaign", "Impressions", None, "Clicks"],
        [None, "Paid", "Organic", None],
        ["a", 1000, 500, 10],
    ]
    with pytest.raises(SheetLayoutError, match="two rows"):
        find_layout(grid)


def test_class4_a_percent_column_is_no_count() -> None:
    with pytest.raises(SheetLayoutError, match="Impressions %"):
        find_layout([["Impressions %", "Clicks"], [0.5, 10]])


@pytest.mark.parametrize("locale", ["de_CH", "es_MX", "en_IN", "it_CH"])
def test_class5_dot_decimal_locales_never_read_a_dot_as_thousands(locale: str) -> None:
    with pytest.raises(InputError):
        parse_count("12.500", "impressions", numerals(locale))


def test_class5_an_unknown_google_locale_reads_neither_mark_as_thousands() -> None:
    for text in ("12.500", "12,500"):
        with pytest.raises(InputError, match="ambiguous"):
            parse_count(text, "impressions", numerals("xx_YY"))


def test_class9_a_formula_float_near_a_whole_number_is_that_number() -> None:
    assert parse_count(0.1 * 3 * 10000, "impressions") == 3000


@pytest.mark.parametrize("text", ["-", "–", "—", "n/a", "N/A", "?", "--"])
def test_class9_a_placeholder_is_not_a_number_not_negative(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_count(text, "clicks")
    assert "negative" not in str(caught.value)
    assert "not a number" in str(caught.value)


def test_evidence_from_values_is_unchanged() -> None:
    assert Evidence.from_values([["a"]]).column_count == 1


def test_class4_two_tables_sharing_a_header_row_are_refused_with_a_way_out() -> None:
    grid: list[list[Cell]] = [
        ["Campaign", "Impressions", "Clicks", None, "Impressions", "Clicks"],
        ["a", 1000, 10, None, 3000, 30],
        ["b", 2000, 20],
    ]
    with pytest.raises(SheetLayoutError, match=r"side by side.*Rename"):
        find_layout(grid)


def test_class5_an_unknown_csv_locale_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("Impressions,Clicks\n12.500,10\n")
    before = path.read_bytes()
    assert main(["sync", str(path), "--locale", "de_XX"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "'de_XX' is not a locale" in err
    assert path.read_bytes() == before


def test_class5_de_ch_reads_its_own_thousands_and_refuses_a_dot(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("Impressions,Clicks\n12.500,10\n12’500,10\n")
    assert main(["sync", str(path), "--locale", "de_CH"]) == EXIT_FLAGGED
    rows = path.read_text().splitlines()
    assert rows[1].endswith('or with a comma (12,500)."')  # flagged, not read as 12,500
    assert rows[2].split(",")[2] == "0.0008"  # 10 / 12,500


@pytest.mark.parametrize(
    "text",
    [
        # a summary table below the campaign table
        "Campaign,Impressions,Clicks\nA,1000,10\nB,2000,20\n\nSummary,Impressions,Clicks\nAll,3000,30\n",
        # a header repeated inside the table, one data row on each side
        "Campaign,Impressions,Clicks\nA,1000,10\nCampaign,Impressions,Clicks\nB,2000,20\n",
    ],
    ids=["table-below", "repeated-header"],
)
def test_class4_a_second_header_under_the_table_is_refused_and_nothing_written(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "two-tables.csv"
    path.write_text(text)
    assert main(["sync", str(path)]) == EXIT_USAGE
    assert path.read_text() == text
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--header-row" in err or "names the counts again" in err
