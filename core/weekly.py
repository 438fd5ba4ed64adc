"""Campaign rows grouped into weeks: from dated rows, or from snapshots of running totals."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from core.ctr import Counts
from core.errors import InputError

# week start -> campaign -> counts for that week
WeekTable = Mapping[date, Mapping[str, Counts]]


@dataclass(frozen=True, slots=True)
class DatedRow:
    """One sheet row with a date: a campaign's clicks and impressions on that day."""

    day: date
    campaign: str
    counts: Counts


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A campaign's running totals as recorded by one sync, dated by the week it fell in."""

    week: date
    campaign: str
    cumulative: Counts


@dataclass(frozen=True, slots=True)
class Reset:
    """Running totals that went down between two snapshots: the sheet was edited or reset."""

    week: date
    campaign: str
    before: Counts
    after: Counts


# Spreadsheets count days from 1899-12-30 (Lotus 1-2-3's leap-year bug, kept for compatibility).
SHEETS_EPOCH = date(1899, 12, 30)
_EPOCH_ORDINAL = SHEETS_EPOCH.toordinal()
_ISO_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?")


def parse_day(value: str | int | float) -> date:
    """A sheet's date cell: an ISO date ("2026-11-16") or a spreadsheet serial (46342).

    Day-first and month-first forms ("03/04/2026") are refused rather than guessed.

    >>> parse_day(46342), parse_day("2026-11-16")
    (datetime.date(2026, 11, 16), datetime.date(2026, 11, 16))
    """
    if isinstance(value, bool):
        raise InputError(f"Date must be a date, not {value}.")
    if isinstance(value, int | float):
        if not 1 <= value < 2_958_466:  # 9999-12-31
            raise InputError(f"Date {value!r} is not a spreadsheet date.")
        return date.fromordinal(_EPOCH_ORDINAL + int(value))
    match = _ISO_DAY.fullmatch(value.strip())
    if match is None:
        raise InputError(f"Date {value.strip()[:20]!r} is not a date; write it as YYYY-MM-DD.")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise InputError(f"Date {value.strip()[:20]!r} does not exist.") from None


# No campaign data in a weekly summary predates this; older dates are typos (0001, 1926).
EARLIEST_DAY = date(2000, 1, 1)


def check_day(day: date, today: date) -> date:
    """``day`` if it can be a day of traffic: not after ``today``, not before 2000.

    A row dated in the future (2062 for 2026) would otherwise become "the latest week" and
    hide the real ones; dates at the calendar's ends overflow week arithmetic.

    >>> check_day(date(2062, 1, 5), date(2026, 11, 29))
    Traceback (most recent call last):
    core.errors.InputError: Date 2062-01-05 is after today (2026-11-29). A typo?
    """
    if day > today:
        raise InputError(f"Date {day.isoformat()} is after today ({today.isoformat()}). A typo?")
    if day < EARLIEST_DAY:
        raise InputError(f"Date {day.isoformat()} is before {EARLIEST_DAY.year}. A typo?")
    return day


def week_start(day: date, first_weekday: int = 0) -> date:
    """The first day of ``day``'s week; ``first_weekday`` 0 is Monday, as in ``date.weekday``.

    >>> week_start(date(2026, 11, 22))  # a Sunday
    datetime.date(2026, 11, 16)
    """
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def weeks_from_rows(
    rows: Iterable[DatedRow], first_weekday: int = 0
) -> dict[date, dict[str, Counts]]:
    """Sum each campaign's daily rows into weeks (integers only, so totals stay exact)."""
    sums: dict[tuple[date, str], list[int]] = {}
    weeks: dict[date, date] = {}  # a sheet has few distinct days and many rows per day
    for row in rows:
        week = weeks.get(row.day)
        if week is None:
            week = weeks[row.day] = week_start(row.day, first_weekday)
        pair = sums.get((week, row.campaign))
        if pair is None:
            sums[(week, row.campaign)] = [row.counts.clicks, row.counts.impressions]
        else:
            pair[0] += row.counts.clicks
            pair[1] += row.counts.impressions
    table: dict[date, dict[str, Counts]] = defaultdict(dict)
    for (week, campaign), (clicks, impressions) in sums.items():
        table[week][campaign] = Counts(clicks=clicks, impressions=impressions)
    return dict(table)


def weeks_from_snapshots(
    snapshots: Sequence[Snapshot],
) -> tuple[dict[date, dict[str, Counts]], list[Reset]]:
    """Weekly counts as differences of consecutive snapshots of each campaign's running totals.

    The last snapshot in a week stands for that week. A campaign's first snapshot has no
    predecessor, so it starts the series rather than counting as one week's traffic. Totals
    that go down (the sheet was reset or edited) produce no week and are reported instead.
    """
    latest: dict[tuple[str, date], Counts] = {}
    for snap in sorted(snapshots, key=lambda s: s.week):
        latest[(snap.campaign, snap.week)] = snap.cumulative
    table: dict[date, dict[str, Counts]] = defaultdict(dict)
    resets: list[Reset] = []
    previous: dict[str, Counts] = {}
    for (campaign, week), cumulative in sorted(latest.items(), key=lambda item: item[0][1]):
        before = previous.get(campaign)
        previous[campaign] = cumulative
        if before is None:
            continue
        clicks = cumulative.clicks - before.clicks
        impressions = cumulative.impressions - before.impressions
        if clicks < 0 or impressions < 0 or clicks > impressions:
            resets.append(Reset(week=week, campaign=campaign, before=before, after=cumulative))
            continue
        table[week][campaign] = Counts(clicks=clicks, impressions=impressions)
    return dict(table), resets
