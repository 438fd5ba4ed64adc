"""The summary chart renders headless to a real PNG, whatever the sheet's title and names."""

from __future__ import annotations

import struct
from datetime import date, timedelta
from pathlib import Path

from bot.weekly.chart import chart_lines, render_chart
from core.ctr import Counts
from core.summary import summarize

WEEK = date(2026, 11, 16)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_titles_and_names_are_text_never_mathtext(tmp_path: Path) -> None:
    names = ["Search $5 off $10", "_hidden?", r"\frac{1}{2} & #tags $", "Display"]
    table = {
        WEEK - timedelta(days=7 * k): {n: Counts(10 + i * k, 2_000) for i, n in enumerate(names)}
        for k in range(4)
    }
    summary = summarize(table, WEEK)
    png = render_chart(summary.history, summary.charted, "Weekly CTR · Spend $ & #tags $")
    assert png_size(png) == (900, 450)
    (tmp_path / "chart.png").write_bytes(png)  # for a person to look at


def test_the_chart_covers_weeks_with_data_and_says_what_each_line_is() -> None:
    table = {
        WEEK - timedelta(days=7 * k): {
            "Search": Counts(30, 10_000),
            "Video": Counts(5 if k else 60, 10_000),  # jumps this week
            "Social": Counts(10, 10_000),
            "Display": Counts(8, 10_000),
        }
        for k in range(4)
    }
    summary = summarize(table, WEEK)
    assert len(summary.history) == 4  # not an 8-week axis half empty
    lines = chart_lines(summary.history, summary.charted)
    assert [line.label for line in lines] == ["Total", "Best: Video", "Worst: Display"]
    assert all(len(line.results) == 4 for line in lines)


def test_chart_with_gaps_and_no_traffic_still_renders() -> None:
    table = {WEEK: {"Only": Counts(5, 2_000)}, WEEK - timedelta(days=21): {"Only": Counts(0, 5)}}
    summary = summarize(table, WEEK)
    assert png_size(render_chart(summary.history, summary.charted, "Sparse")) == (900, 450)
    empty = summarize({}, WEEK)
    assert png_size(render_chart(empty.history, empty.charted, "Empty")) == (900, 450)
