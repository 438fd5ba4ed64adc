"""Write batches are split so no request body passes Google's 2 MB advice."""

from __future__ import annotations

import json

from sheets.backends import MAX_REQUEST_BYTES, _chunks


def paste(size: int) -> dict[str, object]:
    return {"pasteData": {"data": "x" * size}}


def test_small_batches_stay_one_request() -> None:
    requests = [paste(1000) for _ in range(10)]
    assert list(_chunks(requests)) == [requests]


def test_large_batches_split_under_the_limit_keeping_order() -> None:
    requests = [paste(400_000) for _ in range(12)]
    chunks = list(_chunks(requests))
    assert len(chunks) > 1
    assert [r for chunk in chunks for r in chunk] == requests
    assert all(len(json.dumps({"requests": chunk})) < 2_000_000 for chunk in chunks)
    assert MAX_REQUEST_BYTES < 2_000_000
