"""The summary chart renders headless to a real PNG, whatever the campaign names."""

from __future__ import annotations

import struct
from datetime import date, timedelta

from bot.weekly.chart import render_chart
from core.ctr import Counts
from core.summary import summarize

WEEK = date(2026, 11, 16)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_chart_is_a_png_of_the_expected_size() -> None:
    names = ["Search", "Sale $5 off $10", "_hidden?", "Display"]
    table = {
        WEEK - timedelta(days=7 * k): {n: Counts(10 + i + k, 2_000) for i, n in enumerate(names)}
        for k in range(8)
    }
    history = summarize(table, WEEK).history
    assert len(history) == 8
    assert png_size(render_chart(history, "Weekly CTR")) == (800, 400)


def test_chart_with_gaps_and_no_traffic_still_renders() -> None:
    table = {WEEK: {"Only": Counts(5, 2_000)}, WEEK - timedelta(days=21): {"Only": Counts(0, 5)}}
    history = summarize(table, WEEK).history
    assert png_size(render_chart(history, "Sparse")) == (800, 400)
    assert png_size(render_chart(summarize({}, WEEK).history, "Empty")) == (800, 400)
