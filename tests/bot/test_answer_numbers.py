"""The Slack answer shows the very numbers the `ctr` CLI prints for the same counts."""

from __future__ import annotations

import json
import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks import answer_message
from bot.weekly.blocks import fallback_text as weekly_fallback
from bot.weekly.blocks import summary_blocks
from bot.weekly.report import WeeklyReport
from core.ctr import Counts, compare
from core.display import describe_comparison, format_rate
from core.grammar import Compare, Variant
from core.summary import summarize
from tests.strategies import half_percents

counts = st.integers(1, 10**12).flatmap(lambda n: st.builds(Counts, st.integers(0, n), st.just(n)))
halves = half_percents.map(lambda pair: Counts(*pair))


@given(counts | halves, counts | halves)
def test_every_percent_the_cli_prints_is_in_the_slack_answer(a: Counts, b: Counts) -> None:
    message = answer_message(Compare(Variant(None, a), Variant(None, b)), "x")
    shown = json.dumps(
        message["blocks"], ensure_ascii=False
    )  # not the fallback text: it may differ
    for line in describe_comparison(compare(a, b), "A", "B"):
        for percent in re.findall(r"[+−-]?\d[\d.,]*%", line):
            assert percent in shown, (percent, line)


WEEK = date(2026, 11, 16)


@settings(max_examples=40, deadline=None)
@given(halves)
def test_a_weekly_summary_shows_each_ctr_from_its_counts(counts: Counts) -> None:
    report = WeeklyReport(
        summary=summarize({WEEK: {"Spring": counts}}, WEEK),
        sheet_title="Campaigns",
        sheet_url="https://docs.google.com/spreadsheets/d/k/edit",
        timezone="UTC",
        min_impressions=1000,
        flagged=(),
        notes=(),
    )
    assert format_rate(counts) in json.dumps(summary_blocks(report), ensure_ascii=False)
    assert format_rate(counts) in weekly_fallback(report)
