"""When a weekly summary is due, in the channel's own time zone, across DST changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import IntEnum


class Weekday(IntEnum):
    """Days as ``date.weekday()`` numbers them."""

    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


@dataclass(frozen=True, slots=True)
class WeeklySlot:
    """ "Every <day> at <HH:MM> in <zone>": wall-clock time, so 09:00 stays 09:00 across DST."""

    weekday: Weekday
    at: time
    zone: tzinfo


@dataclass(frozen=True, slots=True)
class Due:
    """A summary to send: the week it reports on and when it was meant to go out."""

    scheduled: datetime
    reported_week: date
    late: bool


def occurrence(slot: WeeklySlot, week_of: date) -> datetime:
    """The slot's moment in the week starting Monday ``week_of``, as an aware UTC datetime.

    A wall time skipped by a spring-forward gap is moved forward by the gap (``fold=0``
    semantics of zoneinfo), and one repeated in autumn means its first occurrence.
    """
    day = week_of + timedelta(days=int(slot.weekday))
    local = datetime.combine(day, slot.at, tzinfo=slot.zone)
    return _utc(local)


def latest_due(slot: WeeklySlot, now: datetime) -> Due:
    """The most recent scheduled send at or before ``now``, and whether sending now is late.

    It reports on the full week before the one it falls in. "Late" means more than an hour
    after it was due: the bot was down, and the message should say so.
    """
    local_now = now.astimezone(slot.zone)
    monday = local_now.date() - timedelta(days=local_now.weekday())
    scheduled = occurrence(slot, monday)
    if scheduled > now:
        monday -= timedelta(days=7)
        scheduled = occurrence(slot, monday)
    return Due(
        scheduled=scheduled,
        reported_week=monday - timedelta(days=7),
        late=now - scheduled > timedelta(hours=1),
    )


def next_due(slot: WeeklySlot, now: datetime) -> datetime:
    """The first scheduled send strictly after ``now``."""
    current = latest_due(slot, now).scheduled
    following = current.astimezone(slot.zone).date() - timedelta(days=int(slot.weekday))
    return occurrence(slot, following + timedelta(days=7))


def _utc(moment: datetime) -> datetime:
    # Round-trip through UTC normalises a non-existent local time (DST gap) forward.
    return moment.astimezone(UTC)
