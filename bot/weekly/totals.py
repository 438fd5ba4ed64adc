"""What a weekly summary needs from a sheet, kept at sync time so a summary reads no sheet.

The rule: a summary's numbers are a pure function of ``SheetTotals``, and ``SheetTotals`` is
computed by the sync from the grid it has just read and written (`totals_of`), with the same
row rules the sheet's CTR columns are written by (``sheets.plan.row_counts``, through
bot/weekly/rows.py). So `inputs_from(totals_of(grid, layout, as_of), today)` equals
`gather(grid, layout, today=today)` for any ``today`` on or after ``as_of``
(tests/bot/weekly/test_totals.py checks it on generated sheets).

Only the day a summary is made on can change what an unchanged sheet says: a row dated after
that day is flagged, not counted. Rows dated after the sync's own day are kept one by one
(``later``) and judged on the summary's day; the rest are kept summed by week and campaign.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.weekly.report import FlaggedRow
from bot.weekly.rows import campaign_totals, parsed_rows, weekly_layout
from core.ctr import Counts
from core.errors import InputError
from core.weekly import DatedRow, WeekTable, check_day, week_start
from sheets.api import Cell, Layout


@dataclass(frozen=True, slots=True)
class SheetTotals:
    """One tab's summary material as of the day it was synced (``as_of``, the tab's zone).

    A dated tab has ``weeks`` (rows on or before ``as_of``) and ``later`` (rows after it,
    with their row numbers); a running-totals tab has ``running`` (each campaign's totals,
    which become weeks through the stored snapshots). ``flagged``: rows no day will count.
    """

    as_of: date
    dated: bool
    title: str
    weeks: Mapping[date, Mapping[str, Counts]] = field(default_factory=dict)
    later: tuple[tuple[int, DatedRow], ...] = ()
    running: Mapping[str, Counts] = field(default_factory=dict)
    flagged: tuple[FlaggedRow, ...] = ()

    def usable_on(self, today: date) -> bool:
        """A summary made on ``today`` may use these: no row counted now could be later."""
        return today >= self.as_of


def totals_of(
    grid: Sequence[Sequence[Cell]], layout: Layout, as_of: date, *, title: str
) -> SheetTotals:
    """The summary material of a grid the sync has just read (its final read)."""
    layout = weekly_layout(grid, layout)
    if layout.date is None:
        running, flagged = campaign_totals(grid, layout)
        return SheetTotals(as_of, False, title, running=running, flagged=tuple(flagged))
    parsed, flagged = parsed_rows(grid, layout)
    weeks: dict[date, dict[str, Counts]] = {}
    later: list[tuple[int, DatedRow]] = []
    for index, row in parsed:
        if row.day > as_of:
            later.append((index, row))
            continue
        try:
            check_day(row.day, as_of)  # before 2000: a typo on every day
        except InputError as error:
            flagged.append(FlaggedRow(index, error.problem))
            continue
        _add(weeks, row)
    flags = tuple(sorted(flagged, key=lambda flag: flag.row))
    return SheetTotals(as_of, True, title, weeks=weeks, later=tuple(later), flagged=flags)


def dated_table(totals: SheetTotals, today: date) -> tuple[WeekTable, tuple[FlaggedRow, ...]]:
    """A dated tab's weeks and flagged rows as a summary made on ``today`` sees them."""
    if not totals.usable_on(today):
        raise ValueError(f"totals as of {totals.as_of} are newer than {today}")
    weeks = {week: dict(campaigns) for week, campaigns in totals.weeks.items()}
    flagged = list(totals.flagged)
    for index, row in totals.later:
        try:
            check_day(row.day, today)
        except InputError as error:
            flagged.append(FlaggedRow(index, error.problem))
            continue
        _add(weeks, row)
    return weeks, tuple(sorted(flagged, key=lambda flag: flag.row))


def _add(weeks: dict[date, dict[str, Counts]], row: DatedRow) -> None:
    campaigns = weeks.setdefault(week_start(row.day), {})
    before = campaigns.get(row.campaign)
    campaigns[row.campaign] = (
        row.counts
        if before is None
        else Counts(before.clicks + row.counts.clicks, before.impressions + row.counts.impressions)
    )


# Stored as JSON text: one row per tab, read whole by the summary ----------------------------


def encode(totals: SheetTotals) -> str:
    body: dict[str, Any] = {
        "as_of": totals.as_of.isoformat(),
        "dated": totals.dated,
        "title": totals.title,
        "weeks": {
            week.isoformat(): {name: _pair(c) for name, c in campaigns.items()}
            for week, campaigns in totals.weeks.items()
        },
        "later": [
            [index, row.day.isoformat(), row.campaign, *_pair(row.counts)]
            for index, row in totals.later
        ],
        "running": {name: _pair(c) for name, c in totals.running.items()},
        "flagged": [[flag.row, flag.reason] for flag in totals.flagged],
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def decode(text: str) -> SheetTotals:
    body = json.loads(text)
    return SheetTotals(
        as_of=date.fromisoformat(body["as_of"]),
        dated=bool(body["dated"]),
        title=str(body["title"]),
        weeks={
            date.fromisoformat(week): {name: Counts(*pair) for name, pair in campaigns.items()}
            for week, campaigns in body["weeks"].items()
        },
        later=tuple(
            (index, DatedRow(date.fromisoformat(day), campaign, Counts(clicks, impressions)))
            for index, day, campaign, clicks, impressions in body["later"]
        ),
        running={name: Counts(*pair) for name, pair in body["running"].items()},
        flagged=tuple(FlaggedRow(row, reason) for row, reason in body["flagged"]),
    )


def _pair(counts: Counts) -> list[int]:
    return [counts.clicks, counts.impressions]
