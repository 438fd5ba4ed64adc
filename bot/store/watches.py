"""The watches: which channel gets a weekly summary of which tab, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Engine, and_, delete, select, update

from bot.store.deliveries import delivered_in
from bot.store.records import Clock, NewWatch, Watch, utc_now
from bot.store.schema import watches
from bot.store.upsert import upsert
from core.owed import rewatch
from core.schedule import Due, Weekday

_KEY = ("team_id", "channel_id", "sheet_key", "tab")  # uq_watches_team_channel_sheet_tab


class Watches:
    """Reads and writes of the watches table; every method is one short transaction."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def add_watch(self, watch: NewWatch) -> Watch:
        """Create the channel's watch of that tab, or change it: a new schedule, un-paused.

        Re-watching never forgets a summary already owed (core/owed.py): the same schedule
        keeps its start, a new one carries what the old one still owed.
        """
        for _ in range(3):
            stored = self._put_watch(watch)
            if stored is not None:
                return stored
        # Only a watch created and removed by others between each of our reads gets here.
        raise RuntimeError(f"the watch of {watch.sheet_key} kept changing under us")

    def _put_watch(self, watch: NewWatch) -> Watch | None:
        """The stored watch, or None if another replica created it meanwhile (try again:
        what it owes depends on that row)."""
        now = self._clock()
        key = and_(
            watches.c.team_id == watch.team_id,
            watches.c.channel_id == watch.channel_id,
            watches.c.sheet_key == watch.sheet_key,
            watches.c.tab == watch.tab,
        )
        with self._engine.begin() as db:
            row = db.execute(select(watches).where(key)).first()
            old = _watch(row._mapping) if row is not None else None
            sent = delivered_in(db, watch.channel_id, watch.sheet_key, watch.tab, watch.team_id)
            times = rewatch(old.times if old else None, watch.slot, now, sent)
            values = {
                "enterprise_id": watch.enterprise_id,
                "sheet_url": watch.sheet_url,
                "weekday": int(watch.weekday),
                "at_time": watch.at.strftime("%H:%M"),
                "timezone": watch.timezone,
                "created_by": watch.created_by,
                "sheet_name": watch.sheet_name,
                "schedule_since": times.since,
                "carried_due": times.carried.scheduled if times.carried else None,
                "carried_week": times.carried.reported_week if times.carried else None,
                "paused_reason": None,
                "last_error": None,
                "last_error_at": None,
            }
            if old is None:
                first = {
                    "team_id": watch.team_id,
                    "channel_id": watch.channel_id,
                    "sheet_key": watch.sheet_key,
                    "tab": watch.tab,
                    "created_at": now,
                }
                created = upsert(db, watches, values | first, key=_KEY, update={})
                if db.execute(created).rowcount != 1:
                    return None
            else:
                db.execute(update(watches).where(watches.c.id == old.id).values(values))
            return _watch(db.execute(select(watches).where(key)).one()._mapping)

    def remove_watch(self, channel_id: str, watch_id: int, *, team_id: str | None = None) -> bool:
        """Stop a watch of this channel, whatever state its sheet is in (nothing is read)."""
        where = [watches.c.channel_id == channel_id, watches.c.id == watch_id]
        if team_id is not None:
            where.append(watches.c.team_id == team_id)
        with self._engine.begin() as db:
            result = db.execute(delete(watches).where(*where))
        return result.rowcount > 0

    def all(self, channel_id: str | None = None, *, team_id: str | None = None) -> list[Watch]:
        """Every watch (of ``channel_id``, of workspace ``team_id``, if given), oldest first."""
        query = select(watches).order_by(watches.c.id)
        if channel_id is not None:
            query = query.where(watches.c.channel_id == channel_id)
        if team_id is not None:
            query = query.where(watches.c.team_id == team_id)
        with self._engine.connect() as db:
            return [_watch(row._mapping) for row in db.execute(query)]

    def of(self, team_id: str) -> WorkspaceWatches:
        """One workspace's watches: all a command may read or change."""
        return WorkspaceWatches(self, team_id)

    def pause_watch(self, watch_id: int, reason: str) -> None:
        with self._engine.begin() as db:
            db.execute(
                update(watches)
                .where(watches.c.id == watch_id)
                .values(paused_reason=reason, last_error=reason, last_error_at=self._clock())
            )

    def record_error(self, watch_id: int, error: str | None) -> None:
        """The watch's last failure for /ctr status (None: its last check went fine)."""
        at = self._clock() if error is not None else None
        with self._engine.begin() as db:
            db.execute(
                update(watches)
                .where(watches.c.id == watch_id)
                .values(last_error=error, last_error_at=at)
            )


@dataclass(frozen=True)
class WorkspaceWatches:
    """The watches of one workspace, and nothing else: what commands are given, so no
    listing, number, URL or key from one workspace can reach another's watch (a Slack
    Connect channel has the same id in every workspace sharing it)."""

    store: Watches
    team_id: str

    def all(self, channel_id: str | None = None) -> list[Watch]:
        return self.store.all(channel_id, team_id=self.team_id)

    def add_watch(self, watch: NewWatch) -> Watch:
        if watch.team_id != self.team_id:
            raise ValueError(f"a watch of {watch.team_id} added from {self.team_id}")
        return self.store.add_watch(watch)

    def remove_watch(self, channel_id: str, watch_id: int) -> bool:
        return self.store.remove_watch(channel_id, watch_id, team_id=self.team_id)


def _watch(row: object) -> Watch:
    data = dict(row)  # type: ignore[call-overload]
    hours, minutes = (int(part) for part in data["at_time"].split(":"))
    return Watch(
        id=data["id"],
        team_id=data["team_id"],
        enterprise_id=data["enterprise_id"],
        channel_id=data["channel_id"],
        sheet_key=data["sheet_key"],
        sheet_url=data["sheet_url"],
        weekday=Weekday(data["weekday"]),
        at=time(hours, minutes),
        timezone=data["timezone"],
        created_by=data["created_by"],
        tab=data["tab"],
        sheet_name=data["sheet_name"],
        created_at=data["created_at"],
        paused_reason=data["paused_reason"],
        schedule_since=data["schedule_since"],
        carried=_carried(data["carried_due"], data["carried_week"]),
        last_error=data["last_error"],
        last_error_at=data["last_error_at"],
    )


def _carried(scheduled: datetime | None, week: date | None) -> Due | None:
    if scheduled is None or week is None:
        return None
    return Due(scheduled=scheduled, reported_week=week, late=True)
