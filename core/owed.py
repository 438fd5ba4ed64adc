"""Which weekly summaries a watch owes: a due summary is owed until it is sent, or until the
watch's next one is due. Late, never lost; re-running or changing a watch forgets nothing.

The whole rule is here, pure, so the scheduler only asks "what is owed now?" and sends it:

- A due time counts from when the watch's current schedule took effect (``since``): a new
  watch never owes a week already past. Re-running ``/ctr watch`` with the same schedule
  (to resume a paused watch, or by mistake) keeps ``since``, so nothing owed is forgotten.
- The latest due time at or before ``now`` is owed until its week is sent, however late the
  pass that finds it (a 23:59 slot, a pass a minute late, 200 watches due in one minute, a
  bot that was down for days). Only the *next* due time supersedes it: a channel gets the
  newest week, not a backlog of stale ones.
- Changing the schedule carries a summary the old one owed over to the new one (``carried``)
  until the new schedule's first due time supersedes it.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from core.schedule import Due, WeeklySlot, latest_due

# A summary sent more than this after its due time says it is late (the bot was down, or
# the watch was paused): a few minutes of queueing behind other watches is not "late".
LATE_AFTER = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class WatchTimes:
    """What decides a watch's due summaries."""

    slot: WeeklySlot
    since: datetime  # when the current schedule took effect
    carried: Due | None = None  # owed under the previous schedule and not sent when it changed


def owed(watch: WatchTimes, now: datetime, sent: Container[date]) -> list[Due]:
    """Every summary ``watch`` owes at ``now``, oldest first; ``sent`` holds the reported
    weeks already delivered. At most two: a carried one and the current schedule's."""
    found: list[Due] = []
    latest = latest_due(watch.slot, now)
    current = latest if latest.scheduled >= watch.since else None
    carried = watch.carried
    superseded = (
        current is not None and carried is not None and current.scheduled > carried.scheduled
    )
    if carried is not None and not superseded and carried.reported_week not in sent:
        found.append(replace(carried, late=now - carried.scheduled > LATE_AFTER))
    weeks = {due.reported_week for due in found}
    if (
        current is not None
        and current.reported_week not in sent
        and current.reported_week not in weeks
    ):
        found.append(replace(current, late=now - current.scheduled > LATE_AFTER))
    return found


def rewatch(
    old: WatchTimes | None, slot: WeeklySlot, now: datetime, sent: Container[date]
) -> WatchTimes:
    """The times of a watch (re)created at ``now`` with ``slot``.

    The same schedule again changes nothing (a paused watch resumes owing what it owed).
    A new schedule starts at ``now`` and carries the newest summary the old one still owed.
    """
    if old is None:
        return WatchTimes(slot, since=now)
    if _same(old.slot, slot):
        return old
    still = owed(old, now, sent)
    return WatchTimes(slot, since=now, carried=still[-1] if still else None)


def _same(a: WeeklySlot, b: WeeklySlot) -> bool:
    # Zones compare by name: two ZoneInfo("Europe/Paris") are one object, but a zone built
    # another way (a test's fixed offset) still compares by value.
    return (a.weekday, a.at, str(a.zone)) == (b.weekday, b.at, str(b.zone))
