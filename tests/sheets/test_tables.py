"""Which table is the campaign table: ambiguity is refused with the way out, never guessed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheets.errors import SheetLayoutError
from sheets.headers import Cell, find_layout
from sheets.plan import plan
from sheets.tables import normalise

counts = st.integers(0, 10**6)


@st.composite
def main_table(draw: st.DrawFn) -> tuple[list[list[Cell]], int]:
    top = draw(st.integers(0, 3))
    rows = draw(st.integers(2, 8))
    grid: list[list[Cell]] = [[] for _ in range(top)]
    grid.append(["Campaign", "Impressions", "Clicks"])
    grid += [[f"c{i}", draw(counts), draw(counts)] for i in range(rows)]
    return grid, top


@settings(max_examples=150, deadline=None)
@given(
    table=main_table(),
    at=st.integers(0, 8),
    column=st.integers(4, 7),
    rows=st.integers(1, 3),
    names=st.sampled_from([("Impressions", "Clicks"), ("Imps", "Link clicks")]),
)
def test_a_table_beside_the_campaign_table_is_refused_naming_both(
    table: tuple[list[list[Cell]], int],
    at: int,
    column: int,
    rows: int,
    names: tuple[str, str],
) -> None:
    grid, top = table
    assert find_layout(grid).header_row == top
    start = top + min(at, len(grid) - top - 1)  # a header somewhere beside the table's rows
    header: list[Cell] = list(names)
    block: list[list[Cell]] = [header] + [[5000, 50] for _ in range(rows)]
    for offset, cells in enumerate(block):
        while len(grid) <= start + offset:
            grid.append([])
        row = grid[start + offset]
        row.extend([None] * (column - len(row)))
        row[column : column + 2] = cells
    with pytest.raises(SheetLayoutError, match=r"--header-row|--impressions-col"):
        find_layout(grid)


SHARES = ["Impressions %", "Impr. share", "% Clicks", "Clicks (%)", "Impression rate", "Clicks pct"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([*SHARES, "Impressions", "Clicks", "Campaign"]), max_size=6))
def test_a_share_or_rate_is_never_read_as_a_count(header: list[str]) -> None:
    grid: list[list[Cell]] = [list(header), [7 for _ in header], [9 for _ in header]]
    try:
        layout = find_layout(grid)
    except SheetLayoutError:
        return  # refusing is always safe; the message is checked by the examples
    for col in (layout.impressions, layout.clicks):
        assert header[col] not in SHARES
        assert "%" not in normalise(header[col])


@settings(max_examples=100, deadline=None)
@given(
    subs=st.tuples(
        st.sampled_from(["Paid", "Organic", "Web", "App", "(count)"]),
        st.text(min_size=1).filter(lambda t: t.strip() and not t.strip().isdigit()),
    ),
    which=st.sampled_from(["Impressions", "Clicks"]),
)
def test_a_header_spanning_two_rows_is_refused(subs: tuple[str, str], which: str) -> None:
    other = "Clicks" if which == "Impressions" else "Impressions"
    grid: list[list[Cell]] = [
        ["Campaign", which, None, other],
        [None, subs[0], subs[1], None],
        ["a", 100, 50, 5],
        ["b", 200, 50, 5],
    ]
    with pytest.raises(SheetLayoutError, match=r"two rows.*--header-row"):
        find_layout(grid)
    assert find_layout(grid, header_row=1).header_row == 0  # the named way out works


@settings(max_examples=150, deadline=None)
@given(
    table=main_table(),
    gap=st.integers(0, 3),
    rows=st.integers(0, 3),
    title=st.sampled_from(["Summary", "Campaign", None]),
    header_row=st.booleans(),
)
def test_a_table_below_or_a_repeated_header_is_refused_never_read_as_data(
    table: tuple[list[list[Cell]], int], gap: int, rows: int, title: str | None, header_row: bool
) -> None:
    # Read as data, a second header under the campaign table was flagged (a status written
    # into it) and the rows under it were counted as campaigns; with one data row each, the
    # later header was taken and "CTR" landed in the middle of the table.
    grid, top = table
    grid += [[] for _ in range(gap)]
    grid.append([title, "Impressions", "Clicks"])
    grid += [["x", 3000, 30] for _ in range(rows)]
    chosen = top + 1 if header_row else None
    with pytest.raises(SheetLayoutError, match=r"names the counts again|Several rows"):
        plan(grid, find_layout(grid, header_row=chosen))
