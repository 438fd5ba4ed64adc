"""The law of the pure plan: applying it changes no cell the tool can't prove is its own.

Random grids: headers anywhere in the top rows, KPI boxes and titles above, free text
anywhere, look-alike column names, formulas, random overrides.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets.errors import SheetLayoutError
from sheets.headers import Cell, find_layout
from sheets.ownership import Evidence, Kind, ownable
from sheets.plan import plan
from sheets.written import format_ctr, is_own_ctr, is_own_status

NAMES = [
    "Impressions",
    "Clicks",
    "Impr.",
    "Link clicks",
    "Total impressions",
    "CTR",
    "CTR status",
    "CTR (%)",
    "C.T.R.",
    "Ctr-Status",
    "Campaign",
    "Date",
    "Notes",
    "Impressions %",
    "Clicks (%)",
]
cells = st.one_of(
    st.none(),
    st.integers(-5, 10**7),
    st.floats(0, 1, allow_nan=False),
    st.sampled_from(["", " ", "1,000", "10.000", "approved", "call Ann", "0.01", "n/a"]),
    st.sampled_from(NAMES),
    st.sampled_from(
        [
            "Clicks (5) can't exceed impressions (1).",
            "=B2/C2",
            "Clicks look low, check the tracking.",
            "Impressions?",
            "-",
            "—",
            12.5,
            "0.40",
            3000.0000000000005,
        ]
    ),
)
rows = st.lists(cells, max_size=8)


@st.composite
def sheets(draw: st.DrawFn) -> tuple[list[list[Cell]], frozenset[tuple[int, int]]]:
    above = draw(st.lists(rows, max_size=5))
    header = draw(st.lists(st.sampled_from(NAMES), min_size=2, max_size=7))
    data = draw(st.lists(rows, max_size=12))
    grid: list[list[Cell]] = [*above, list(header), *data]
    formulas = draw(
        st.frozensets(st.tuples(st.integers(0, len(grid) - 1), st.integers(0, 8)), max_size=6)
    )
    return grid, formulas


overrides = st.one_of(st.none(), st.sampled_from(NAMES))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    sheet=sheets(),
    impressions_col=overrides,
    clicks_col=overrides,
    header_row=st.one_of(st.none(), st.integers(1, 8)),
)
def test_a_plan_writes_only_cells_the_tool_owns(
    sheet: tuple[list[list[Cell]], frozenset[tuple[int, int]]],
    impressions_col: str | None,
    clicks_col: str | None,
    header_row: int | None,
) -> None:
    grid, formulas = sheet
    evidence = Evidence.from_values(grid, formulas=formulas)
    evidence = Evidence(
        column_count=evidence.column_count,
        used_width=max(evidence.used_width or 0, *(c + 1 for _, c in formulas), 0),
        formulas=formulas,
    )
    try:
        layout = find_layout(
            grid, impressions_col, clicks_col, header_row=header_row, evidence=evidence
        )
    except SheetLayoutError:
        return  # refusing is always safe
    result = plan(grid, layout, evidence)
    owned = {layout.ctr: Kind.CTR, layout.status: Kind.STATUS}
    for change in result.changes:
        assert change.col in owned
        assert change.row >= layout.header_row  # never above the table
        assert (change.row, change.col) not in formulas
        before = grid[change.row][change.col] if change.col < len(grid[change.row]) else None
        if change.col in layout.new_columns:
            # a new column is right of everything: every cell in it was empty
            assert all(
                (c := row[change.col] if change.col < len(row) else None) is None
                or (isinstance(c, str) and not c.strip())
                for row in grid
            )
        else:
            assert change.row > layout.header_row  # an adopted header is never renamed
            assert ownable(owned[change.col], before, formula=False)
    for change in result.changes:  # what the tool writes, it recognises as its own next time
        if change.row > layout.header_row and isinstance(change.value, str):
            assert is_own_status(change.value), change.value
        if isinstance(change.value, float):
            assert is_own_ctr(float(format_ctr(change.value)))  # Google: a number
            assert is_own_ctr(format_ctr(change.value))  # a CSV: its text
    assert layout.impressions not in owned
    assert layout.clicks not in owned
    assert layout.impressions != layout.clicks
