"""Due times in the channel's zone: wall-clock stable across DST, missed runs only that week."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.schedule import Weekday, WeeklySlot, latest_due, next_due, occurrence

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY_9_PARIS = WeeklySlot(Weekday.MONDAY, time(9, 0), PARIS)


def test_nine_oclock_stays_nine_oclock_across_dst() -> None:
    # Europe leaves summer time on Sunday 2026-10-25.
    before = occurrence(MONDAY_9_PARIS, date(2026, 10, 19))
    after = occurrence(MONDAY_9_PARIS, date(2026, 10, 26))
    assert before == datetime(2026, 10, 19, 7, 0, tzinfo=UTC)
    assert after == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert after - before == timedelta(days=7, hours=1)


def test_a_time_skipped_by_spring_forward_moves_forward() -> None:
    # 2026-03-08 02:30 does not exist in New York: clocks jump from 02:00 to 03:00.
    slot = WeeklySlot(Weekday.SUNDAY, time(2, 30), NEW_YORK)
    moment = occurrence(slot, date(2026, 3, 2))
    assert moment == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert moment.astimezone(NEW_YORK).hour == 3


def test_a_repeated_autumn_time_means_its_first_occurrence() -> None:
    slot = WeeklySlot(Weekday.SUNDAY, time(1, 30), NEW_YORK)  # 2026-11-01 01:30 happens twice
    assert occurrence(slot, date(2026, 10, 26)) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_latest_due_reports_on_the_previous_week() -> None:
    now = datetime(2026, 11, 23, 8, 0, 30, tzinfo=UTC)  # Monday 09:00:30 in Paris
    due = latest_due(MONDAY_9_PARIS, now)
    assert due.scheduled == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert due.reported_week == date(2026, 11, 16)
    assert not due.late


def test_before_the_slot_the_previous_week_is_due() -> None:
    now = datetime(2026, 11, 23, 7, 59, tzinfo=UTC)  # Monday 08:59 in Paris
    due = latest_due(MONDAY_9_PARIS, now)
    assert due.scheduled == datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
    assert due.late
    assert next_due(MONDAY_9_PARIS, now) == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
