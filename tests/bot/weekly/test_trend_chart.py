"""`/ctr trend`'s chart renders for any history, names with "$" included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.weekly.trend_chart import render_trend
from core.ctr import Counts
from core.trend import trend

LAST = date(2026, 11, 16)


@pytest.mark.parametrize("weeks", [0, 1, 5, 30])
def test_the_chart_is_a_png_for_any_number_of_weeks(weeks: int) -> None:
    table = {
        LAST - timedelta(days=7 * back): {"Spend $5 & $x": Counts(100 + 7 * back % 13, 10_000)}
        for back in range(weeks)
    }
    png = render_trend(trend(table, "Spend $5 & $x", LAST), "Spend $5 & $x", "Q4 $ sheet")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
