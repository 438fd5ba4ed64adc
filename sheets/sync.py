"""One sheet's sync: read once, plan (pure), write once, then verify and repair races."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sheets import metrics
from sheets.backends import SheetBackend
from sheets.errors import SheetChangedError, SheetsApiError
from sheets.headers import Cell, Layout, find_layout
from sheets.plan import Plan, plan

MAX_REPAIRS = 3


@dataclass(frozen=True, slots=True)
class SyncResult:
    name: str
    plan: Plan  # the plan of the first read: what changed (or would, in a dry run)
    writes: int  # write rounds sent (0 on a no-op or dry run)
    repairs: int  # extra rounds because the sheet changed between our read and write
    grid: Sequence[Sequence[Cell]]  # the sheet as last read (after writing: the verified state)
    layout: Layout  # where things are in ``grid``


@dataclass(frozen=True, slots=True)
class Columns:
    """A person's choices where detection needs help (the CLI's --*-col and --header-row)."""

    impressions: str | None = None
    clicks: str | None = None
    header_row: int | None = None  # 1-based


def sync(backend: SheetBackend, columns: Columns = Columns(), dry_run: bool = False) -> SyncResult:
    """Bring the owned columns up to date; nothing else in the sheet is written.

    If a person inserts, deletes or sorts rows between our read and our write, values can land
    on the wrong rows. So after writing, the sheet is read again and re-planned: any owned
    cell that is now wrong is rewritten, until a read finds nothing to change (bounded). A
    backend that sees the sheet changed before it writes (a CSV file) writes nothing and the
    loop plans again from a fresh read.
    """
    try:
        result = _sync(backend, columns, dry_run)
    except Exception:
        metrics.SYNCS.labels("failed").inc()
        raise
    metrics.SYNCS.labels("ok").inc()
    metrics.SYNC_ROWS.labels("ctr").inc(result.plan.computed)
    metrics.SYNC_ROWS.labels("flagged").inc(len(result.plan.flagged))
    return result


def _sync(backend: SheetBackend, columns: Columns, dry_run: bool) -> SyncResult:
    grid, first = _plan(backend, columns)
    current, writes = first, 0
    while not dry_run and not current.is_noop:
        if writes > MAX_REPAIRS:
            raise SheetsApiError(
                f"{backend.describe()} kept changing while syncing; run the sync again later."
            )
        writes += 1
        try:
            backend.write(current)
        except SheetChangedError:
            pass  # nothing was written: the fresh read below plans from what is there now
        else:
            if backend.written(current):
                break
        grid, current = _plan(backend, columns)
    return SyncResult(
        backend.describe(),
        first,
        writes=writes,
        repairs=max(0, writes - 1),
        grid=grid,
        layout=current.layout,
    )


def _plan(backend: SheetBackend, columns: Columns) -> tuple[Sequence[Sequence[Cell]], Plan]:
    grid, evidence = backend.read()
    layout = find_layout(
        grid,
        columns.impressions,
        columns.clicks,
        header_row=columns.header_row,
        evidence=evidence,
    )
    return grid, plan(grid, layout, evidence)
