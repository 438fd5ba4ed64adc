"""Write batches are split so no request body passes MAX_REQUEST_BYTES (under the 10 MiB that
proxies in front of Google refuse), while a 100k-row first sync stays one write."""

from __future__ import annotations

import json
from typing import Any

from sheets.google_requests import MAX_REQUEST_BYTES, chunks, sized, update_cells
from sheets.plan import Change


def paste(size: int) -> dict[str, object]:
    return {"pasteData": {"data": "x" * size}}


def test_small_batches_stay_one_request() -> None:
    requests = [paste(1000) for _ in range(10)]
    assert list(chunks([sized(r) for r in requests])) == [requests]


def test_large_batches_split_under_the_limit_keeping_order() -> None:
    requests = [paste(MAX_REQUEST_BYTES // 5) for _ in range(12)]
    split = list(chunks([sized(r) for r in requests]))
    assert len(split) > 1
    assert [r for chunk in split for r in chunk] == requests
    assert all(len(json.dumps({"requests": chunk})) < MAX_REQUEST_BYTES for chunk in split)
    assert MAX_REQUEST_BYTES < 10_485_760


def test_exact_cell_writes_split_a_long_run_under_the_limit_and_type_values() -> None:
    run = [Change(row, 5, 1 / (row + 3)) for row in range(1, 100_001)]
    run[7] = Change(8, 5, "Clicks  can't exceed\timpressions.")
    run[9] = Change(10, 5, None)
    assert len(list(update_cells(0, run))) == 1  # a 100k-row first sync: one write
    requests = [request for request, _ in update_cells(0, run, limit=2_000_000)]
    assert len(requests) > 1
    assert all(len(json.dumps(r)) < 2_000_000 for r in requests)
    for request, size in update_cells(0, run, limit=2_000_000):
        assert len(json.dumps(request)) <= size  # the counted size bounds the real one
    cells: list[Any] = []
    for request in requests:
        body = request["updateCells"]
        assert body["fields"] == "userEnteredValue"
        assert body["start"]["rowIndex"] == run[len(cells)].row
        cells += [row["values"][0] for row in body["rows"]]
    assert len(cells) == len(run)
    assert cells[0] == {"userEnteredValue": {"numberValue": 0.25}}
    assert cells[1] == {"userEnteredValue": {"numberValue": 0.2}}
    assert cells[2] == {"userEnteredValue": {"numberValue": 0.166666666667}}  # 12 digits
    assert cells[7] == {"userEnteredValue": {"stringValue": "Clicks can't exceed impressions."}}
    assert cells[9] == {}  # cleared
