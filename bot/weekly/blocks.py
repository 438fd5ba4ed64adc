"""A weekly report as Slack Block Kit, within Slack's limits (50 blocks, 3,000 characters)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.blocks import clip, context, section
from bot.slacktext import literal, plain
from bot.weekly.report import WeeklyReport
from core.baseline import Check
from core.counts import format_count
from core.ctr import Comparison, CtrResult
from core.display import format_lift, format_p_value, format_percent, format_pp, format_rate
from core.summary import CampaignWeek
from core.usual import binomial_label, unusual_mark, usual_phrase, usual_range

MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_NAME = 60
MAX_FLAGGED_SHOWN = 10
_KEY = re.compile(r"[A-Za-z0-9_-]{20,}")  # a spreadsheet key, as sheets/refs.py reads one

Block = dict[str, Any]


def summary_blocks(report: WeeklyReport) -> list[Block]:
    """The whole message: header, totals, leaders, laggards, the campaigns unusual for
    themselves, flagged rows, link."""
    blocks = [_header(report), *_late(report), section(_totals(report))]
    summary = report.summary
    for title, campaigns, line in (
        ("Top campaigns", summary.top, _ranked_line),
        ("Bottom campaigns", summary.bottom, _ranked_line),
        ("Unusual for themselves", summary.unusual, _unusual_line),
    ):
        if campaigns:
            blocks.append(section(f"*{title}*\n" + "\n".join(map(line, campaigns))))
    if report.flagged or report.notes:
        blocks.append(section(_problems(report)))
    blocks.append(context(_footer(report)))
    return blocks[:MAX_BLOCKS]


def fallback_text(report: WeeklyReport) -> str:
    """The notification / screen-reader text that goes with the blocks."""
    total = report.summary.total
    ctr = format_rate(total.counts) if total else "no traffic"
    return f"Weekly CTR for {literal(report.sheet_title)}, {_week_label(report)}: {ctr}"


def _header(report: WeeklyReport) -> Block:
    text = f"Weekly CTR · {plain(report.sheet_title)} · {_week_label(report)}"
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, MAX_HEADER)}}


def _late(report: WeeklyReport) -> list[Block]:
    if report.late_by is None:
        return []
    return [context(f":alarm_clock: Sent {report.late_by} late: it couldn't go out when due.")]


def _totals(report: WeeklyReport) -> str:
    total = report.summary.total
    if total is None:
        return "*Total:* no impressions this week. Is the sheet still being filled in?"
    lines = [f"*Total:* {_rate_and_usual(total, report.summary.total_usual)} · {_counts(total)}"]
    change = report.summary.total_change
    if change is not None:
        lines.append(f"*vs previous week:* {_change(change)}")
    return "\n".join(lines)


def _ranked_line(campaign: CampaignWeek) -> str:
    result = campaign.result
    counts = f"{format_count(result.counts.clicks)} / {format_count(result.counts.impressions)}"
    change = "" if campaign.change is None else f" · vs last week {_change(campaign.change)}"
    return f"• {_name(campaign.name)}: {_rate_and_usual(result, campaign.usual)} · {counts}{change}"


def _unusual_line(campaign: CampaignWeek) -> str:
    check = campaign.usual
    assert check is not None  # the unusual always have a usual
    arrow = "▲" if check.unusual == "high" else "▼"
    fallback = binomial_label(check)
    method = f"; {fallback}" if fallback else ""
    return (
        f"{arrow} {_name(campaign.name)}: {format_rate(campaign.result.counts)} vs "
        f"usual {format_rate(check.usual.counts)} "
        f"({usual_range(check, campaign.result.counts.impressions)}, "
        f"{format_p_value(check.p_value)}{method})"
    )


def _rate_and_usual(result: CtrResult, check: Check | None) -> str:
    """``4.66% (usual 4.55%)``, then a mark when unusual for itself."""
    usual = "no usual yet: first week" if check is None else usual_phrase(check)
    mark = unusual_mark(check)
    return f"{format_rate(result.counts)} ({usual})" + (f" *{mark}*" if mark else "")


def _problems(report: WeeklyReport) -> str:
    shown = report.flagged[:MAX_FLAGGED_SHOWN]
    lines = [f"*:warning: {len(report.flagged)} row(s) need attention*"] if report.flagged else []
    lines += [f"• row {row.row}: {literal(row.reason)}" for row in shown]
    if len(report.flagged) > len(shown):
        lines.append(f"…and {len(report.flagged) - len(shown)} more (see the CTR status column)")
    lines += [f"• {literal(note)}" for note in report.notes]
    return "\n".join(lines)


def _footer(report: WeeklyReport) -> str:
    link = sheet_link(report.sheet_url)
    parts = [f"<{_url(link)}|Open the sheet>"] if link else []
    below = report.summary.below_threshold
    if below:
        parts.append(
            f"{below} campaign(s) under {format_count(report.min_impressions)} impressions "
            "not ranked"
        )
    parts.append(
        "unusual: outside its own usual range (last 8 weeks, week-to-week variation "
        "from up to 26), 95%"
    )
    return " · ".join(parts)


def _counts(result: CtrResult) -> str:
    counts = result.counts
    return (
        f"{format_count(counts.clicks)} / {format_count(counts.impressions)}, 95% CI "
        f"{format_percent(result.ci_low)}–{format_percent(result.ci_high)}"
    )


def _change(change: Comparison) -> str:
    verdict = "significant" if change.significant else "not significant"
    return (
        f"{format_pp(change.b.rate - change.a.rate)} ({format_lift(change.lift)}), "
        f"{verdict} ({format_p_value(change.p_value)})"
    )


def _week_label(report: WeeklyReport) -> str:
    start, end = report.summary.week, report.summary.week_end
    return f"{start:%d %b} – {end:%d %b %Y} ({report.timezone})"


def _name(name: str) -> str:
    return f"*{literal(clip(name, MAX_NAME))}*"


def sheet_link(sheet: str) -> str | None:
    """A link to open the sheet: its URL, or the URL of a bare spreadsheet key; None for a
    file (a CSV has no address anyone else can open).

    >>> sheet_link("1AbCdEfGhIjKlMnOpQrStUv")
    'https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUv/edit'
    """
    if sheet.startswith(("https://", "http://")):
        return sheet
    if _KEY.fullmatch(sheet):
        return f"https://docs.google.com/spreadsheets/d/{sheet}/edit"
    return None


def _url(url: str) -> str:
    # A URL inside <...|...> must not close the link early or smuggle in another one.
    return url.replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


def blocks_as_text(blocks: Sequence[Block]) -> str:
    """Roughly what Slack shows, for the terminal: the offline demo and dry runs."""
    lines: list[str] = []
    for block in blocks:
        if block["type"] in ("header", "section"):
            lines.append(block["text"]["text"])
        elif block["type"] == "context":
            lines.extend(element["text"] for element in block["elements"])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
