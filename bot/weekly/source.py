"""Read a watched sheet and render its weekly message: the shell around core's summary."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.store.repository import Clock, Store, Watch
from bot.weekly.blocks import fallback_text, summary_blocks
from bot.weekly.chart import render_chart
from bot.weekly.delivery import Rendered
from bot.weekly.report import FlaggedRow, WeeklyReport
from bot.weekly.rows import campaign_totals, dated_rows
from core.errors import CtrError
from core.summary import DEFAULT_MIN_IMPRESSIONS, summarize
from core.weekly import WeekTable, week_start, weeks_from_rows, weeks_from_snapshots
from sheets.backends import SheetBackend
from sheets.headers import Cell, Layout, find_layout


@dataclass(frozen=True, slots=True)
class WeeklyInputs:
    table: WeekTable
    flagged: tuple[FlaggedRow, ...]
    notes: tuple[str, ...]


def weekly_inputs(
    grid: Sequence[Sequence[Cell]],
    layout: Layout,
    *,
    sheet_key: str,
    this_week: date,
    store: Store | None,
) -> WeeklyInputs:
    """Weeks from the sheet's dates, or from snapshots of running totals kept in the store."""
    if layout.date is not None:
        rows, flagged = dated_rows(grid, layout)
        return WeeklyInputs(weeks_from_rows(rows), tuple(flagged), ())
    totals, flagged = campaign_totals(grid, layout)
    if store is None:
        raise CtrError(
            "This sheet has no date column, so its weeks come from snapshots in the bot's database."
        )
    store.record_snapshots(sheet_key, this_week, totals.items())
    table, resets = weeks_from_snapshots(store.snapshots(sheet_key))
    notes = tuple(
        f"{reset.campaign}: running totals went down in the week of {reset.week:%d %b}, so that "
        "week is left out. Was the sheet reset?"
        for reset in resets
    )
    return WeeklyInputs(table, tuple(flagged), notes)


def render_report(
    inputs: WeeklyInputs,
    week: date,
    *,
    title: str,
    url: str,
    timezone: str,
    min_impressions: int = DEFAULT_MIN_IMPRESSIONS,
    late_by: str | None = None,
) -> Rendered:
    summary = summarize(inputs.table, week, min_impressions=min_impressions)
    report = WeeklyReport(
        summary=summary,
        sheet_title=title,
        sheet_url=url,
        timezone=timezone,
        min_impressions=min_impressions,
        flagged=inputs.flagged,
        notes=inputs.notes,
        late_by=late_by,
    )
    return Rendered(
        blocks=summary_blocks(report),
        text=fallback_text(report),
        chart_png=render_chart(summary.history, summary.charted, f"Weekly CTR · {title}"),
        chart_title=f"Weekly CTR to {summary.week_end:%d %b %Y}: total, best, worst, movers",
    )


def latest_week(table: WeekTable) -> date | None:
    """The most recent week with data: what a one-off summary of a sheet reports by default."""
    return max(table, default=None)


@dataclass
class SheetReportSource:
    """The scheduler's ReportSource for watched Google sheets."""

    open_backend: Callable[[Watch], SheetBackend]
    store: Store
    clock: Clock
    min_impressions: int = DEFAULT_MIN_IMPRESSIONS

    def __call__(self, watch: Watch, week: date, late_by: str | None) -> Rendered:
        backend = self.open_backend(watch)
        grid, _ = backend.read()
        today = self.clock().astimezone(ZoneInfo(watch.timezone)).date()
        inputs = weekly_inputs(
            grid,
            find_layout(grid),
            sheet_key=watch.sheet_key,
            this_week=week_start(today),
            store=self.store,
        )
        return render_report(
            inputs,
            week,
            title=backend.describe(),
            url=watch.sheet_url,
            timezone=watch.timezone,
            min_impressions=self.min_impressions,
            late_by=late_by,
        )
