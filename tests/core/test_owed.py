"""The owed-summary rule: a due summary is owed until sent or superseded by the next one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.owed import LATE_AFTER, WatchTimes, owed, rewatch
from core.schedule import Due, Weekday, WeeklySlot, latest_due, next_due

PARIS = ZoneInfo("Europe/Paris")
MONDAY_9 = WeeklySlot(Weekday.MONDAY, time(9, 0), PARIS)
FRIDAY_16 = WeeklySlot(Weekday.FRIDAY, time(16, 0), PARIS)
SUNDAY_2359 = WeeklySlot(Weekday.SUNDAY, time(23, 59), PARIS)
DUE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris
WEEK = date(2026, 11, 16)  # the week it reports on
CREATED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    """A watch's history (how it was created and re-watched), a pass at ``now``, the answer."""

    name: str
    events: tuple[tuple[datetime, WeeklySlot], ...]  # (when, slot) of each /ctr watch
    now: datetime
    expected: tuple[tuple[date, bool], ...]  # (reported week, late) owed, oldest first
    sent: frozenset[date] = frozenset()


def times(events: tuple[tuple[datetime, WeeklySlot], ...], sent: frozenset[date]) -> WatchTimes:
    watch: WatchTimes | None = None
    for when, slot in events:
        watch = rewatch(watch, slot, when, sent)
    assert watch is not None
    return watch


CASES = [
    Case("on time", ((CREATED, MONDAY_9),), DUE + timedelta(seconds=5), ((WEEK, False),)),
    Case(
        "before the due time: last week's was sent",
        ((CREATED, MONDAY_9),),
        DUE - timedelta(minutes=1),
        (),
        frozenset({WEEK - timedelta(days=7)}),
    ),
    Case("already sent", ((CREATED, MONDAY_9),), DUE + timedelta(minutes=5), (), frozenset({WEEK})),
    Case(
        "a new watch created just after the due time owes nothing yet",
        ((DUE + timedelta(seconds=3), MONDAY_9),),
        DUE + timedelta(minutes=1),
        (),
    ),
    Case(
        "a new watch created exactly at the due time owes it",
        ((DUE, MONDAY_9),),
        DUE + timedelta(minutes=1),
        ((WEEK, False),),
    ),
    Case(
        "re-watch at the due time",
        ((CREATED, MONDAY_9), (DUE, MONDAY_9)),
        DUE + timedelta(seconds=1),
        ((WEEK, False),),
    ),
    Case(
        "re-watch just after the due time",
        ((CREATED, MONDAY_9), (DUE + timedelta(seconds=4), MONDAY_9)),
        DUE + timedelta(seconds=30),
        ((WEEK, False),),
    ),
    Case(
        "re-watch long after the due time (invited, then /ctr watch again)",
        ((CREATED, MONDAY_9), (DUE + timedelta(days=2), MONDAY_9)),
        DUE + timedelta(days=2, minutes=1),
        ((WEEK, True),),
    ),
    Case(
        "paused two weeks, then resumed: the newest week, late",
        ((CREATED, MONDAY_9), (DUE + timedelta(days=15), MONDAY_9)),
        DUE + timedelta(days=15, minutes=1),
        ((WEEK + timedelta(days=14), True),),
    ),
    Case(
        "missed for six days: still owed until the next due time",
        ((CREATED, MONDAY_9),),
        DUE + timedelta(days=7, seconds=-1),
        ((WEEK, True),),
    ),
    Case(
        "superseded by the next due time",
        ((CREATED, MONDAY_9),),
        DUE + timedelta(days=7, seconds=1),
        ((WEEK + timedelta(days=7), False),),
    ),
    Case(
        "Sunday 23:59 with the pass a minute late (after local midnight)",
        ((CREATED, SUNDAY_2359),),
        datetime(2026, 11, 29, 23, 0, 30, tzinfo=UTC),
        ((date(2026, 11, 16), False),),
    ),
    Case(
        "the last of 200 watches due in one minute, 4.7 minutes late",
        ((CREATED, SUNDAY_2359),),
        datetime(2026, 11, 29, 23, 3, 40, tzinfo=UTC),
        ((date(2026, 11, 16), False),),
    ),
    Case(
        "spring forward: 02:30 does not exist, due at 03:30",
        ((datetime(2027, 3, 1, tzinfo=UTC), WeeklySlot(Weekday.SUNDAY, time(2, 30), PARIS)),),
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
        ((date(2027, 3, 15), False),),
    ),
    Case(
        "spring forward: not before the moved time",
        ((datetime(2027, 3, 1, tzinfo=UTC), WeeklySlot(Weekday.SUNDAY, time(2, 30), PARIS)),),
        datetime(2027, 3, 28, 1, 29, tzinfo=UTC),
        ((date(2027, 3, 8), True),),
    ),
    Case(
        "fall back: 02:30 happens twice, the first one counts",
        ((datetime(2026, 10, 1, tzinfo=UTC), WeeklySlot(Weekday.SUNDAY, time(2, 30), PARIS)),),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        ((date(2026, 10, 12), False),),
    ),
    Case(
        "schedule changed after an unsent due: carried over, late",
        ((CREATED, MONDAY_9), (DUE + timedelta(days=1), FRIDAY_16)),
        DUE + timedelta(days=1, minutes=1),
        ((WEEK, True),),
    ),
    Case(
        "a carried summary is superseded by the new schedule's first due time",
        ((CREATED, MONDAY_9), (DUE + timedelta(days=1), FRIDAY_16)),
        datetime(2026, 11, 27, 15, 0, 1, tzinfo=UTC),
        ((WEEK, False),),
    ),
    Case(
        "a new schedule never owes its own past due times",
        ((CREATED, MONDAY_9), (DUE - timedelta(days=1), FRIDAY_16)),
        DUE + timedelta(minutes=1),
        (),
        frozenset({WEEK - timedelta(days=7)}),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_owed_summaries(case: Case) -> None:
    found = owed(times(case.events, case.sent), case.now, case.sent)
    assert [(due.reported_week, due.late) for due in found] == list(case.expected)


def test_late_means_more_than_the_grace() -> None:
    watch = WatchTimes(MONDAY_9, CREATED)
    (due,) = owed(watch, DUE + LATE_AFTER, set())
    assert not due.late
    (due,) = owed(watch, DUE + LATE_AFTER + timedelta(seconds=1), set())
    assert due.late


# The property: passes at arbitrary times, re-watches (same or another schedule) between them.
# Every due time of the schedule in force, at or after the watch's first creation, that some
# pass reaches before the next due time of the watch is delivered, and no week twice.

SLOTS = [MONDAY_9, FRIDAY_16, SUNDAY_2359, WeeklySlot(Weekday.SUNDAY, time(2, 30), PARIS)]
START = datetime(2026, 10, 1, tzinfo=UTC)  # a month before autumn's change, through spring's
event = st.tuples(
    st.integers(min_value=1, max_value=60 * 24 * 9),  # minutes after the previous event
    st.one_of(st.none(), st.sampled_from(SLOTS)),  # None: a pass; a slot: /ctr watch again
)


@settings(max_examples=150, deadline=None)
@given(first=st.sampled_from(SLOTS), events=st.lists(event, min_size=1, max_size=40))
def test_every_due_time_reached_before_the_next_is_delivered_exactly_once(
    first: WeeklySlot, events: list[tuple[int, WeeklySlot | None]]
) -> None:
    sent: list[date] = []
    watch = rewatch(None, first, START, set(sent))
    now = START
    history: list[tuple[datetime, WeeklySlot]] = [(START, first)]  # the slot from then on
    passes: list[datetime] = []
    for minutes, slot in events:
        now += timedelta(minutes=minutes)
        if slot is not None:
            watch = rewatch(watch, slot, now, set(sent))
            if slot != history[-1][1]:
                history.append((now, slot))
            continue
        passes.append(now)
        sent += [due.reported_week for due in owed(watch, now, set(sent))]
    assert len(sent) == len(set(sent))  # no week twice
    for due in _due_times(history, now):
        following = _next_due_of_watch(history, due.scheduled)
        if any(due.scheduled <= moment < following for moment in passes):
            assert due.reported_week in sent, (due, passes)


def _due_times(history: list[tuple[datetime, WeeklySlot]], end: datetime) -> list[Due]:
    """Every due time of the schedule in force at that time, up to ``end``."""
    found = []
    for index, (since, slot) in enumerate(history):
        until = history[index + 1][0] if index + 1 < len(history) else end
        moment = next_due(slot, since - timedelta(microseconds=1))
        while moment < until:
            found.append(latest_due(slot, moment))
            moment = next_due(slot, moment)
    return found


def _next_due_of_watch(history: list[tuple[datetime, WeeklySlot]], after: datetime) -> datetime:
    """The first due time after ``after`` under whichever schedule is in force then."""
    candidates = []
    for index, (since, slot) in enumerate(history):
        until = (
            history[index + 1][0] if index + 1 < len(history) else datetime.max.replace(tzinfo=UTC)
        )
        moment = next_due(slot, max(after, since - timedelta(microseconds=1)))
        if moment < until:
            candidates.append(moment)
    return min(candidates)
