"""Read a watched sheet and render its weekly message: the shell around core's summary.

Gathering a summary's inputs is pure (the grid, today and the stored snapshots in, weeks
out); recording running-total snapshots is the shell's separate, named step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.store.history import History
from bot.store.records import Clock, Watch
from bot.weekly.blocks import fallback_text, summary_blocks
from bot.weekly.chart import render_chart
from bot.weekly.delivery import Rendered
from bot.weekly.lastread import LastReads
from bot.weekly.report import FlaggedRow, WeeklyReport
from bot.weekly.rows import campaign_totals, dated_rows, weekly_layout
from core.errors import CtrError
from core.summary import DEFAULT_MIN_IMPRESSIONS, summarize
from core.weekly import Snapshot, WeekTable, week_start, weeks_from_rows, weeks_from_snapshots
from sheets.api import (
    Cell,
    DriveChanges,
    GoogleSheet,
    Layout,
    SheetBackend,
    SheetsApiError,
    find_layout,
    urgent,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WeeklyInputs:
    table: WeekTable
    flagged: tuple[FlaggedRow, ...]
    notes: tuple[str, ...]


def gather(
    grid: Sequence[Sequence[Cell]],
    layout: Layout,
    *,
    today: date,
    snapshots: Sequence[Snapshot] | None,
) -> WeeklyInputs:
    """Weeks from the sheet's dates, or from the stored snapshots of its running totals.

    ``snapshots`` None means none were read: fine for a dated sheet, an error otherwise.
    """
    layout = weekly_layout(grid, layout)
    if layout.date is not None:
        rows, flagged = dated_rows(grid, layout, today=today)
        return WeeklyInputs(weeks_from_rows(rows), tuple(flagged), ())
    _, flagged = campaign_totals(grid, layout)
    if snapshots is None:
        raise CtrError(
            "This sheet has no date column, so its weeks come from snapshots in the bot's database."
        )
    table, resets = weeks_from_snapshots(snapshots)
    notes = tuple(
        f"{reset.campaign}: running totals went down in the week of {reset.week:%d %b}, so that "
        "week is left out. Was the sheet reset?"
        for reset in resets
    )
    return WeeklyInputs(table, tuple(flagged), notes)


def is_running_totals(grid: Sequence[Sequence[Cell]], layout: Layout) -> bool:
    """No date (or Week) column: its weeks come from snapshots."""
    return weekly_layout(grid, layout).date is None


def record_snapshot(
    history: History,
    sheet_key: str,
    grid: Sequence[Sequence[Cell]],
    layout: Layout,
    today: date,
    *,
    tab: int = 0,
) -> list[Snapshot]:
    """For a running-totals tab, keep this week's totals; returns every stored snapshot
    of the tab (empty for a dated sheet, which needs none and records nothing)."""
    if not is_running_totals(grid, layout):
        return []
    totals, _ = campaign_totals(grid, layout)
    history.record_snapshots(sheet_key, week_start(today), totals.items(), tab=tab)
    return history.snapshots(sheet_key, tab=tab)


def latest_week(table: WeekTable, today: date) -> date | None:
    """The latest complete week with data (it ended before ``today``): what a one-off
    summary reports by default. Rows after today never reach ``table``."""
    return max((week for week in table if week + timedelta(days=7) <= today), default=None)


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
        chart_title=f"Weekly CTR to {summary.week_end:%d %b %Y}: total, best, worst, unusual",
    )


@dataclass
class SheetReportSource:
    """The scheduler's ReportSource for watched Google sheets."""

    open_backend: Callable[[Watch], SheetBackend]
    history: History
    clock: Clock
    min_impressions: int = DEFAULT_MIN_IMPRESSIONS
    last_reads: LastReads | None = None  # the sync's reads, reused while Drive says unchanged
    changes: DriveChanges | None = None

    def __call__(self, watch: Watch, week: date, late_by: str | None) -> Rendered:
        with urgent():  # a summary due now goes before routine syncs in the quota's line
            grid, layout, title = self.read(watch)
        today = self.clock().astimezone(ZoneInfo(watch.timezone)).date()
        stored = record_snapshot(self.history, watch.sheet_key, grid, layout, today, tab=watch.tab)
        inputs = gather(grid, layout, today=today, snapshots=stored)
        return render_report(
            inputs,
            week,
            title=watch.sheet_name or title,  # the spreadsheet's name, as watched
            url=watch.sheet_url,
            timezone=watch.timezone,
            min_impressions=self.min_impressions,
            late_by=late_by,
        )

    def read(self, watch: Watch) -> tuple[Sequence[Sequence[Cell]], Layout, str]:
        """The sync's last read (and the layout it found with that read's formulas and marks)
        if Drive says the sheet is still that version, else a read."""
        last = self.last_reads.get(watch.sheet_url) if self.last_reads else None
        if last is not None and last.version is not None and self.changes is not None:
            try:
                current = self.changes.version(watch.sheet_key)
            except SheetsApiError as error:
                log.info(
                    "Drive could not say if %s changed (%s): reading it", watch.sheet_key, error
                )
            else:
                if current.modified == last.version:
                    return last.grid, last.layout, last.title
        backend = self.open_backend(watch)
        grid, evidence = backend.read()
        # The read's formulas and markers tell the tool's columns from a person's look-alikes.
        name = watch.sheet_name or spreadsheet_name(backend)  # a watch from before 0006
        return grid, find_layout(grid, evidence=evidence), name


def spreadsheet_name(backend: SheetBackend) -> str:
    """What people call the sheet: a Google spreadsheet's own name (one small metadata
    read), a CSV file's description."""
    if isinstance(backend, GoogleSheet):
        meta = backend.client.fetch_sheet_metadata(
            backend.key, params={"fields": "properties.title"}
        )
        return str(meta.get("properties", {}).get("title") or backend.key)
    return backend.describe()
