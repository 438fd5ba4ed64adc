"""Read a watched sheet and render its weekly message: the shell around core's summary.

Gathering a summary's inputs is pure (the grid, today and the stored snapshots in, weeks
out); recording running-total snapshots is the shell's separate, named step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.store.history import History
from bot.store.records import Clock, Watch
from bot.store.weekly_totals import WeeklyTotals
from bot.weekly.blocks import fallback_text, summary_blocks
from bot.weekly.chart import render_chart
from bot.weekly.lastread import LastReads
from bot.weekly.posts import Rendered
from bot.weekly.report import FlaggedRow, WeeklyReport
from bot.weekly.rows import campaign_totals, dated_rows, weekly_layout
from bot.weekly.totals import SheetTotals, dated_table
from core.ctr import Counts
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
    Version,
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
    return _from_snapshots(tuple(flagged), snapshots)


def inputs_from(
    totals: SheetTotals, today: date, snapshots: Sequence[Snapshot] | None
) -> WeeklyInputs:
    """``gather`` of the grid the totals were kept from, without the grid (bot/weekly/totals.py)."""
    if totals.dated:
        table, flagged = dated_table(totals, today)
        return WeeklyInputs(table, flagged, ())
    return _from_snapshots(totals.flagged, snapshots)


def _from_snapshots(
    flagged: tuple[FlaggedRow, ...], snapshots: Sequence[Snapshot] | None
) -> WeeklyInputs:
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
    return WeeklyInputs(table, flagged, notes)


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
    return record_running(history, sheet_key, totals, today, tab=tab)


def record_running(
    history: History, sheet_key: str, totals: Mapping[str, Counts], today: date, *, tab: int = 0
) -> list[Snapshot]:
    """Keep this week's running totals of a tab; returns every stored snapshot of it."""
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


# Syncs a watched sheet now, for its summary: the totals of the watch's tab it kept, or None
# if it could not (another replica holds the sheet's claim); ``version``: Drive's, if known.
SyncFirst = Callable[[Watch, str | None], SheetTotals | None]


@dataclass
class SheetReportSource:
    """The scheduler's ReportSource for watched Google sheets.

    A summary uses the totals the sync kept (bot/weekly/totals.py) when Drive says the sheet
    is still the version they show: no sheet read. An edited sheet is synced first
    (``sync_first``), and the summary uses the totals that sync kept: one read serves both.
    Without totals (none kept yet, no Drive, the sheet claimed elsewhere) it reads the sheet.
    """

    open_backend: Callable[[Watch], SheetBackend]
    history: History
    clock: Clock
    min_impressions: int = DEFAULT_MIN_IMPRESSIONS
    last_reads: LastReads | None = None  # the sync's reads, reused while Drive says unchanged
    changes: DriveChanges | None = None
    totals: WeeklyTotals | None = None
    sync_first: SyncFirst | None = None
    me: str | None = None  # the service account: its own writes are the sync's

    def __call__(self, watch: Watch, week: date, late_by: str | None) -> Rendered:
        today = self.clock().astimezone(ZoneInfo(watch.timezone)).date()
        with urgent():  # a summary due now goes before routine syncs in the quota's line
            kept = self.kept_totals(watch, today)
            inputs, title = (
                self._read(watch, today) if kept is None else self._kept(watch, kept, today)
            )
        return render_report(
            inputs,
            week,
            title=watch.sheet_name or title,  # the spreadsheet's name, as watched
            url=watch.sheet_url,
            timezone=watch.timezone,
            min_impressions=self.min_impressions,
            late_by=late_by,
        )

    def _kept(self, watch: Watch, kept: SheetTotals, today: date) -> tuple[WeeklyInputs, str]:
        stored = None
        if not kept.dated:
            key, tab = watch.sheet_key, watch.tab
            stored = record_running(self.history, key, kept.running, today, tab=tab)
        # A watch from before 0006 has no name: one metadata read, as on the read path.
        title = watch.sheet_name or spreadsheet_name(self.open_backend(watch))
        return inputs_from(kept, today, stored), title

    def _read(self, watch: Watch, today: date) -> tuple[WeeklyInputs, str]:
        grid, layout, title = self.read(watch)
        stored = record_snapshot(self.history, watch.sheet_key, grid, layout, today, tab=watch.tab)
        return gather(grid, layout, today=today, snapshots=stored), title

    def kept_totals(self, watch: Watch, today: date) -> SheetTotals | None:
        """The tab's totals if they show the sheet as it is now, syncing it first if it
        changed; None: read the sheet."""
        if self.totals is None or self.changes is None:
            return None
        try:
            current: Version | None = self.changes.version(watch.sheet_key)
        except SheetsApiError as error:
            log.info("Drive could not say if %s changed (%s)", watch.sheet_key, error)
            current = None
        kept = self.totals.get(watch.sheet_key, watch.tab)
        if kept is not None and current is not None and kept.totals.usable_on(today):
            # Totals left by our own write (version not yet listed) show the sheet while our
            # service account made its latest change: the listing's own rule for adopting it.
            ours = kept.version is None and self.me is not None and current.by == self.me
            if kept.version == current.modified or ours:
                return kept.totals
        if self.sync_first is None:
            return None
        fresh = self.sync_first(watch, current.modified if current else None)
        return fresh if fresh is not None and fresh.usable_on(today) else None

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
