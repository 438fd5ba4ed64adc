"""The pure plan: desired owned cells, bad rows, and the diff against what is there."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sheets.headers import Cell, find_layout
from sheets.plan import Change, desired_row, plan
from sheets.written import format_ctr

HEADER: list[Cell] = ["Impressions", "Clicks"]
LAYOUT = find_layout([HEADER])


def test_rows_become_ctrs_or_reasons() -> None:
    assert desired_row([50_000, 200], LAYOUT) == (0.004, "")
    assert desired_row(["1,234", "12"], LAYOUT) == (12 / 1234, "")
    assert desired_row([None, ""], LAYOUT) == (None, "")
    assert desired_row([100, 500], LAYOUT)[1].startswith("Clicks (500) can't exceed")
    assert desired_row(["lots", 5], LAYOUT)[1].startswith("Impressions 'lots' is not a number")
    assert "negative" in desired_row([-5, 1], LAYOUT)[1]
    assert desired_row([10, True], LAYOUT)[1] == "Clicks must be a number, not True."
    assert "undefined" in desired_row([0, 0], LAYOUT)[1]


def test_first_plan_writes_headers_values_and_grows_the_grid() -> None:
    grid: list[list[Cell]] = [HEADER, [1000, 10], [5, 50]]
    result = plan(grid, LAYOUT)
    assert result.columns_to_add == 2
    assert Change(0, 2, "CTR") in result.changes
    assert Change(1, 2, 0.01) in result.changes
    assert [flag.row for flag in result.flagged] == [3]
    assert result.computed == 1


def test_a_synced_grid_plans_nothing() -> None:
    grid: list[list[Cell]] = [
        [*HEADER, "CTR", "CTR status"],
        [1000, 10, 0.01],
        [3, 1, float(format_ctr(1 / 3))],
    ]
    assert plan(grid, find_layout(grid)).is_noop


@given(st.lists(st.tuples(st.integers(0, 10**12), st.integers(0, 10**12)), max_size=30))
def test_writing_a_plan_then_planning_again_is_a_noop(rows: list[tuple[int, int]]) -> None:
    grid: list[list[Cell]] = [list(HEADER)] + [[impr, clicks] for impr, clicks in rows]
    first = plan(grid, LAYOUT)
    for change in first.changes:
        row = grid[change.row]
        row.extend([None] * (change.col + 1 - len(row)))
        value = change.value
        row[change.col] = float(format_ctr(value)) if isinstance(value, float) else value
    assert plan(grid, find_layout(grid)).is_noop
