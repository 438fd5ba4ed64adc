"""Write batches are split so no request body passes Google's 2 MB advice."""

from __future__ import annotations

import json

from sheets.google_requests import MAX_REQUEST_BYTES, chunks


def paste(size: int) -> dict[str, object]:
    return {"pasteData": {"data": "x" * size}}


def test_small_batches_stay_one_request() -> None:
    requests = [paste(1000) for _ in range(10)]
    assert list(chunks(requests)) == [requests]


def test_large_batches_split_under_the_limit_keeping_order() -> None:
    requests = [paste(400_000) for _ in range(12)]
    split = list(chunks(requests))
    assert len(split) > 1
    assert [r for chunk in split for r in chunk] == requests
    assert all(len(json.dumps({"requests": chunk})) < 2_000_000 for chunk in split)
    assert MAX_REQUEST_BYTES < 2_000_000
