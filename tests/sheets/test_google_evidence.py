"""The used width, as a property: no column at or right of it holds anything a person set,
whatever the mix of values, formats, dropdowns, merges, hidden columns, protection and
conditional formats (the fake's own JSON for them, as the evidence read gets it)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sheets.google_evidence import used_width
from tests.fakes.google_grid import Worksheet

WIDTH, HEIGHT = 8, 6
FIELDS = (
    "merges,protectedRanges.range,conditionalFormats.ranges,data(columnMetadata(hiddenByUser),"
    "rowData.values(userEnteredValue.formulaValue,note,userEnteredFormat,dataValidation))"
)
spots = st.tuples(st.integers(0, HEIGHT - 1), st.integers(0, WIDTH - 1))
bounds = st.one_of(
    st.none(), st.tuples(st.integers(0, WIDTH - 1), st.integers(1, 3))
)  # None: unbounded


def column_range(bound: tuple[int, int] | None) -> dict[str, int]:
    if bound is None:
        return {}
    start, span = bound
    return {"startColumnIndex": start, "endColumnIndex": min(WIDTH, start + span)}


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(spots, max_size=6),
    settings_=st.lists(st.tuples(spots, st.sampled_from(["format", "note", "rule", "formula"]))),
    hidden=st.sets(st.integers(0, WIDTH - 1), max_size=2),
    ranges=st.lists(st.tuples(st.sampled_from(["merge", "protect", "rule"]), bounds), max_size=3),
)
def test_nothing_a_person_set_is_at_or_right_of_the_used_width(
    values: list[tuple[int, int]],
    settings_: list[tuple[tuple[int, int], str]],
    hidden: set[int],
    ranges: list[tuple[str, tuple[int, int] | None]],
) -> None:
    sheet = Worksheet("Daily", 0, row_count=HEIGHT, column_count=WIDTH)
    for row, col in values:
        sheet.cell(row, col).value = 5
    for (row, col), kind in settings_:
        cell = sheet.cell(row, col)
        if kind == "format":
            cell.format = {"backgroundColor": {"red": 1.0}}
        elif kind == "note":
            cell.note = "n"
        elif kind == "rule":
            cell.validation = {"condition": {"type": "BOOLEAN"}}
        else:
            cell.formula = "=1"
    sheet.hidden_columns = set(hidden)
    for kind, bound in ranges:
        grid = column_range(bound)
        if kind == "merge" and bound is not None:
            sheet.merge(range(0, 1), range(grid["startColumnIndex"], grid["endColumnIndex"]))
        elif kind == "protect":
            sheet.protect(grid)
        elif kind == "rule":
            sheet.add_conditional_format(grid)
    answer: dict[str, Any] = {
        "properties": {"gridProperties": {"columnCount": WIDTH, "rowCount": HEIGHT}},
        **sheet.sheet_extras(FIELDS),
        "data": [json.loads(sheet.grid_data_json(FIELDS))],
    }

    used = used_width(answer, sheet.values())

    set_columns = {
        c for row in sheet.rows for c, cell in enumerate(row) if not cell.is_blank()
    } | hidden
    for kind, bound in ranges:
        if kind == "merge" and bound is None:
            continue  # a merge has bounds; none was made
        grid = column_range(bound)
        first, end = grid.get("startColumnIndex", 0), grid.get("endColumnIndex", WIDTH)
        set_columns |= set(range(first, end))
    assert all(c < used for c in set_columns)
    assert used == (max(set_columns) + 1 if set_columns else 0)  # and no further right
