"""Weekly summary messages: content, escaping and Slack's size limits."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from bot.blocks import MAX_TEXT, escape
from bot.readable import readable
from bot.weekly.blocks import (
    MAX_BLOCKS,
    blocks_as_text,
    fallback_text,
    summary_blocks,
)
from bot.weekly.report import FlaggedRow, WeeklyReport
from core.ctr import Counts
from core.summary import summarize

WEEK = date(2026, 11, 16)
PREV = WEEK - timedelta(days=7)


def report_for(table: dict[date, dict[str, Counts]], **extra: object) -> WeeklyReport:
    options: dict[str, object] = {
        "sheet_title": "Q4 campaigns",
        "sheet_url": "https://docs.google.com/spreadsheets/d/abc/edit#gid=0",
        "timezone": "Europe/Paris",
        "min_impressions": 1000,
    }
    options.update(extra)
    return WeeklyReport(summary=summarize(table, WEEK), **options)  # type: ignore[arg-type]


def all_text(blocks: list[dict[str, object]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_message_shows_week_totals_change_and_link() -> None:
    table = {PREV: {"Search": Counts(100, 50_000)}, WEEK: {"Search": Counts(200, 50_000)}}
    text = blocks_as_text(summary_blocks(report_for(table)))
    assert "16 Nov – 22 Nov 2026 (Europe/Paris)" in text
    assert (
        "*Total:* 0.40% (usual 0.20%, 1 week: binomial test) *▲ unusually high for it* · "
        "200 / 50,000, 95% CI 0.35%–0.46%"
    ) in text
    assert "+0.20 pp (+100.0%), significant (p < 0.001)" in text
    assert "<https://docs.google.com/spreadsheets/d/abc/edit#gid=0|Open the sheet>" in text
    assert "*Unusual for themselves*\n▲ *Search*: 0.40% vs usual 0.20% (usual range" in text
    assert "; 1 week: binomial test)" in text


def test_each_campaign_shows_its_usual_and_a_mark_only_when_unusual() -> None:
    weeks = [WEEK - timedelta(days=7 * back) for back in range(5, 0, -1)]
    steady = [(600, 10_000), (605, 10_000), (598, 10_000), (602, 10_000), (601, 10_000)]
    wild = [(400, 10_000), (700, 10_000), (500, 10_000), (650, 10_000), (450, 10_000)]
    table = {
        week: {"Steady": Counts(*s), "Wild": Counts(*w)}
        for week, s, w in zip(weeks, steady, wild, strict=True)
    }
    table[WEEK] = {
        "Steady": Counts(500, 10_000),
        "Wild": Counts(540, 10_000),
        "New": Counts(9, 2_000),
    }
    text = blocks_as_text(summary_blocks(report_for(table)))
    assert "• *Steady*: 5.00% (usual 6.01%) *▼ unusually low for it* · 500 / 10,000" in text
    assert "• *Wild*: 5.40% (usual 5.40%) · 540 / 10,000 · vs last week" in text
    assert "• *New*: 0.45% (no usual yet: first week) · 9 / 2,000" in text
    assert "▼ *Steady*: 5.00% vs usual 6.01% (usual range" in text
    assert "Wild*: 5.40% vs" not in text


@pytest.mark.parametrize("name", ["<!channel>", "<!here>", "<@U123>", "<https://evil|click>"])
def test_campaign_names_cannot_ping_or_link(name: str) -> None:
    table = {WEEK: {name: Counts(10, 2_000)}}
    report = report_for(table, flagged=(FlaggedRow(3, f"bad value {name}"),), sheet_title=name)
    serialized = all_text(summary_blocks(report)) + fallback_text(report)
    section_texts = [b["text"]["text"] for b in summary_blocks(report) if b["type"] == "section"]
    assert all(name not in text for text in section_texts)
    assert escape(name) in serialized
    assert name not in fallback_text(report)


def test_five_hundred_campaigns_fit_slacks_limits() -> None:
    long = "Campaign with a very long name that goes on and on " * 3
    table = {
        PREV: {f"{long}{i}": Counts(i, 5_000) for i in range(500)},
        WEEK: {f"{long}{i}": Counts(500 - i, 5_000) for i in range(500)},
    }
    flagged = tuple(FlaggedRow(i, "Clicks can't exceed impressions. " * 5) for i in range(300))
    blocks = summary_blocks(report_for(table, flagged=flagged))
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        texts = [block["text"]] if "text" in block else block["elements"]
        assert all(len(t["text"]) <= MAX_TEXT for t in texts)
    assert "…and 290 more" in blocks_as_text(blocks)


def test_late_summaries_say_so() -> None:
    text = blocks_as_text(summary_blocks(report_for({}, late_by="3 hours")))
    assert "Sent 3 hours late" in text
    assert "no impressions this week" in text


def test_sheet_url_cannot_break_out_of_its_link() -> None:
    report = report_for({}, sheet_url="https://x/<!channel>|evil")
    footer = summary_blocks(report)[-1]["elements"][0]["text"]
    assert footer.startswith("<https://x/%3C!channel%3E%7Cevil|Open the sheet>")


def test_campaign_names_render_as_typed_on_one_line() -> None:
    """Issue #17.9: `*Bold* promo` showed as bold, a newline split its bullet."""
    table = {WEEK: {"*Bold* promo": Counts(10, 2_000), "two\nlines_x": Counts(5, 2_000)}}
    blocks = summary_blocks(report_for(table))
    shown = readable("\n".join(b["text"]["text"] for b in blocks if b["type"] == "section"))
    assert "*Bold* promo: " in shown
    assert "two lines_x: " in shown
    top = next(b["text"]["text"] for b in blocks if "Top campaigns" in b["text"].get("text", ""))
    assert "*Bold*" not in top  # the typed asterisks can't make bold: they are fallbacks
    assert all(line.startswith(("*Top", "• ")) for line in top.splitlines())


def test_the_header_and_footer_name_and_link_the_spreadsheet() -> None:
    """Issue #17.9: the header showed the tab's title and the 44-character key, and a bare
    key's footer link was not a URL."""
    key = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg"
    report = report_for({WEEK: {"A": Counts(1, 2_000)}}, sheet_title="Q4\nbudget", sheet_url=key)
    blocks = summary_blocks(report)
    assert blocks[0]["text"]["text"].startswith("Weekly CTR · Q4 budget · 16 Nov")
    assert f"<https://docs.google.com/spreadsheets/d/{key}/edit|Open the sheet>" in all_text(blocks)
    csv = summary_blocks(report_for({WEEK: {"A": Counts(1, 2_000)}}, sheet_url="out/c.csv"))
    assert "Open the sheet" not in all_text(csv)  # a file has no address to open
