"""Header detection: export names, position, ambiguity and overrides."""

from __future__ import annotations

import re

import pytest

from sheets.errors import SheetLayoutError
from sheets.headers import Cell, find_layout


@pytest.mark.parametrize(
    ("header", "impressions", "clicks"),
    [
        (["Impressions", "Clicks"], 0, 1),
        (["Day", "Campaign name", "Impr.", "Link clicks"], 2, 3),
        (["Clicks (all)", "IMPRESSIONS "], 1, 0),
        (["impr", "clk", "Cost"], 0, 1),
        (["Date", "Total Impressions", "Total clicks"], 1, 2),
    ],
)
def test_export_names(header: list[Cell], impressions: int, clicks: int) -> None:
    layout = find_layout([header])
    assert (layout.impressions, layout.clicks) == (impressions, clicks)


def test_header_below_a_title_and_owned_columns_after_the_last_used() -> None:
    grid: list[list[Cell]] = [
        ["Q4 report"],
        [],
        ["Date", "Campaign", "Impressions", "Clicks", None, "Notes"],
    ]
    layout = find_layout(grid)
    assert layout.header_row == 2
    assert (layout.date, layout.campaign) == (0, 1)
    assert (layout.ctr, layout.status, layout.width) == (6, 7, 8)


def test_existing_ctr_column_is_reused_wherever_it_is() -> None:
    layout = find_layout([["CTR", "Impressions", "Clicks", "Cost"]])
    assert (layout.ctr, layout.status) == (0, 4)


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (
            [["Views", "Impressions", "Clicks"]],
            "Several columns could be the impressions: 'Views' (A), 'Impressions' (B)",
        ),
        ([["Date", "Spend"], ["x", 1]], "headers found: 'Date', 'Spend', 'x'"),
        ([[f"r{i}"] for i in range(30)] + [["Impressions", "Clicks"]], "first 30 rows"),
    ],
)
def test_missing_or_ambiguous_headers_are_explained(grid: list[list[Cell]], message: str) -> None:
    with pytest.raises(SheetLayoutError, match=re.escape(message)):
        find_layout(grid)


def test_overrides_pick_the_columns() -> None:
    layout = find_layout(
        [["Views", "Impressions", "Taps"]], impressions_col="Views", clicks_col="Taps"
    )
    assert (layout.impressions, layout.clicks) == (0, 2)
