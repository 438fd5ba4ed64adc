"""Reads and writes of the bot's state; every method is one short transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from bot.store.quota import StoreLedger
from bot.store.schema import change_polls, deliveries, sheet_syncs, snapshots, watches
from core.ctr import Counts
from core.owed import WatchTimes, rewatch
from core.schedule import Due, Weekday, WeeklySlot
from core.weekly import Snapshot

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Claim:
    """The right to post one summary: how many owners tried, and a ts if one already posted."""

    attempts: int
    message_ts: str | None


@dataclass(frozen=True, slots=True)
class SyncState:
    """What the last sync of a spreadsheet started from (Drive's modifiedTime) and when."""

    version: str | None
    synced_at: datetime | None
    reported: str | None = None  # a newer version Drive listed, not yet synced from

    @property
    def due(self) -> bool:
        """Drive reported a version no sync has started from yet."""
        return self.reported is not None and self.reported != self.version


@dataclass(frozen=True, slots=True)
class ChangePoll:
    """The right to list Drive's changes for every replica this time, and where to start."""

    listed_at: datetime | None  # when the last successful listing was asked for


@dataclass(frozen=True, slots=True)
class NewWatch:
    """A channel's standing order for a weekly summary of one sheet, as requested."""

    team_id: str
    channel_id: str
    sheet_key: str
    sheet_url: str
    weekday: Weekday
    at: time
    timezone: str
    created_by: str
    tab: int = 0  # the worksheet's gid: each tab of a spreadsheet is its own watch
    sheet_name: str | None = None  # the spreadsheet's name, for the summary's header
    enterprise_id: str | None = None  # the workspace's Enterprise Grid org, if any

    @property
    def slot(self) -> WeeklySlot:
        return WeeklySlot(self.weekday, self.at, ZoneInfo(self.timezone))


@dataclass(frozen=True, slots=True, kw_only=True)
class Watch(NewWatch):
    """A stored watch: the request plus what the store knows about it."""

    id: int
    created_at: datetime  # first created; re-running /ctr watch keeps it
    paused_reason: str | None
    schedule_since: datetime  # when the current schedule took effect
    carried: Due | None = None  # owed by the previous schedule when it changed
    last_error: str | None = None
    last_error_at: datetime | None = None

    @property
    def times(self) -> WatchTimes:
        return WatchTimes(self.slot, self.schedule_since, self.carried)


@dataclass(frozen=True, slots=True)
class FeedFailure:
    """The Drive change listing of ``account`` fails: why, and since when."""

    account: str
    failure: str
    since: datetime


class Store:
    """The one place the bot's tables are read and written."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def quota_ledger(self) -> StoreLedger:
        """Google's quota buckets in this store, shared with every replica using it."""
        return StoreLedger(self._engine)

    # Watches -----------------------------------------------------------------------------

    def add_watch(self, watch: NewWatch) -> Watch:
        """Create the channel's watch of that tab, or change it: a new schedule, un-paused.

        Re-watching never forgets a summary already owed (core/owed.py): the same schedule
        keeps its start, a new one carries what the old one still owed.
        """
        for attempt in (1, 2):
            try:
                return self._put_watch(watch)
            except IntegrityError:  # another replica created it meanwhile: change that one
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _put_watch(self, watch: NewWatch) -> Watch:
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
            sent = _delivered(db, watch.channel_id, watch.sheet_key, watch.tab)
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
                db.execute(insert(watches).values(values | first))
            else:
                db.execute(update(watches).where(watches.c.id == old.id).values(values))
            return _watch(db.execute(select(watches).where(key)).one()._mapping)

    def remove_watch(self, channel_id: str, watch_id: int) -> bool:
        """Stop a watch of this channel, whatever state its sheet is in (nothing is read)."""
        with self._engine.begin() as db:
            result = db.execute(
                delete(watches).where(watches.c.channel_id == channel_id, watches.c.id == watch_id)
            )
        return result.rowcount > 0

    def watches(self, channel_id: str | None = None) -> list[Watch]:
        query = select(watches).order_by(watches.c.id)
        if channel_id is not None:
            query = query.where(watches.c.channel_id == channel_id)
        with self._engine.connect() as db:
            return [_watch(row._mapping) for row in db.execute(query)]

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

    # Snapshots ---------------------------------------------------------------------------

    def record_snapshots(
        self, sheet_key: str, week: date, totals: Iterable[tuple[str, Counts]], *, tab: int = 0
    ) -> None:
        """Keep each campaign's latest running totals for ``week`` (one row per week), per
        tab: two tabs with the same campaign names are two histories."""
        now = self._clock()
        with self._engine.begin() as db:
            for campaign, counts in totals:
                key = (
                    snapshots.c.sheet_key == sheet_key,
                    snapshots.c.tab == tab,
                    snapshots.c.campaign == campaign,
                    snapshots.c.week == week,
                )
                db.execute(delete(snapshots).where(*key))
                db.execute(
                    insert(snapshots).values(
                        sheet_key=sheet_key,
                        tab=tab,
                        campaign=campaign,
                        week=week,
                        clicks=counts.clicks,
                        impressions=counts.impressions,
                        recorded_at=now,
                    )
                )

    def snapshots(self, sheet_key: str, *, tab: int = 0) -> list[Snapshot]:
        query = select(snapshots).where(snapshots.c.sheet_key == sheet_key, snapshots.c.tab == tab)
        with self._engine.connect() as db:
            return [
                Snapshot(
                    week=row.week,
                    campaign=row.campaign,
                    cumulative=Counts(clicks=row.clicks, impressions=row.impressions),
                )
                for row in db.execute(query)
            ]

    # Sheet syncs: what each watched spreadsheet was last synced from ----------------------

    def sync_states(self) -> dict[str, SyncState]:
        with self._engine.connect() as db:
            return {
                row.sheet_key: SyncState(row.version, row.synced_at, row.reported_version)
                for row in db.execute(select(sheet_syncs))
            }

    def record_sync(self, sheet_key: str, version: str | None, synced_at: datetime) -> None:
        """A full sync of the sheet ended at ``synced_at``, from ``version`` (None: unknown,
        the stored one stands)."""
        values: dict[str, object] = {"synced_at": synced_at}
        if version is not None:
            values["version"] = version
        self._upsert(sheet_key, values)

    def claim_sheet(self, sheet_key: str, owner: str, until: datetime) -> bool:
        """Take the sheet's syncing until ``until`` unless another replica holds it now: one
        conditional UPDATE (or the first INSERT), so two replicas never both get it."""
        now = self._clock()
        free = or_(
            sheet_syncs.c.claimed_until.is_(None),
            sheet_syncs.c.claimed_until < now,
            sheet_syncs.c.claimed_by == owner,
        )
        take = (
            update(sheet_syncs)
            .where(sheet_syncs.c.sheet_key == sheet_key, free)
            .values(claimed_by=owner, claimed_until=until)
        )
        try:
            with self._engine.begin() as db:
                if db.execute(take).rowcount == 1:
                    return True
                held = select(sheet_syncs.c.sheet_key).where(sheet_syncs.c.sheet_key == sheet_key)
                if db.execute(held).first() is not None:
                    return False
                db.execute(
                    insert(sheet_syncs).values(
                        sheet_key=sheet_key, claimed_by=owner, claimed_until=until
                    )
                )
                return True
        except IntegrityError:  # another replica inserted the row, and so the claim, first
            return False

    def claim_change_poll(self, account: str, owner: str, until: datetime) -> ChangePoll | None:
        """Take the listing of ``account``'s Drive changes until ``until``, unless another
        replica holds it now (None): one listing serves every replica."""
        now = self._clock()
        free = or_(change_polls.c.claimed_until.is_(None), change_polls.c.claimed_until <= now)
        take = (
            update(change_polls)
            .where(change_polls.c.account == account, free)
            .values(claimed_by=owner, claimed_until=until)
            .returning(change_polls.c.listed_at)
        )
        try:
            with self._engine.begin() as db:
                row = db.execute(take).first()
                if row is not None:
                    return ChangePoll(row.listed_at)
                held = select(change_polls.c.account).where(change_polls.c.account == account)
                if db.execute(held).first() is not None:
                    return None
                first = {"account": account, "claimed_by": owner, "claimed_until": until}
                db.execute(insert(change_polls).values(first))
                return ChangePoll(None)
        except IntegrityError:  # another replica inserted the row, and so the claim, first
            return None

    def record_listing(
        self, account: str, listed_at: datetime, adopt: dict[str, str], report: dict[str, str]
    ) -> None:
        """What a Drive listing asked for at ``listed_at`` found: versions that are our own
        writes (nothing to read) and versions someone else made (to sync), in one transaction."""
        later = or_(change_polls.c.listed_at.is_(None), change_polls.c.listed_at < listed_at)
        done = update(change_polls).where(change_polls.c.account == account, later)
        for attempt in (1, 2):
            try:
                with self._engine.begin() as db:
                    for key, version in adopt.items():
                        _upsert_in(db, key, {"version": version, "reported_version": None})
                    for key, version in report.items():
                        _upsert_in(db, key, {"reported_version": version})
                    db.execute(done.values(listed_at=listed_at, failure=None, failing_since=None))
                return
            except IntegrityError:  # a replica added one of the rows meanwhile: all again
                if attempt == 2:
                    raise

    def record_listing_failure(self, account: str, failure: str) -> None:
        """Drive's listing failed: kept for every replica's /ctr status (since: the first)."""
        now = self._clock()
        with self._engine.begin() as db:
            db.execute(
                update(change_polls)
                .where(change_polls.c.account == account)
                .values(
                    failure=failure,
                    failing_since=func.coalesce(change_polls.c.failing_since, now),
                )
            )

    def feed_failures(self) -> list[FeedFailure]:
        """Every Drive change listing failing now (its last attempt failed)."""
        query = select(change_polls).where(change_polls.c.failure.is_not(None))
        with self._engine.connect() as db:
            return [
                FeedFailure(row.account, row.failure, row.failing_since)
                for row in db.execute(query)
            ]

    def _upsert(self, sheet_key: str, values: dict[str, object]) -> None:
        try:
            with self._engine.begin() as db:
                _upsert_in(db, sheet_key, values)
        except IntegrityError:  # another process inserted the row first: update it instead
            with self._engine.begin() as db:
                _upsert_in(db, sheet_key, values)

    # Deliveries: exactly one summary per (channel, sheet, week) --------------------------

    def claim_delivery(
        self,
        channel_id: str,
        sheet_key: str,
        week: date,
        owner: str,
        lease: timedelta,
        *,
        tab: int = 0,
    ) -> Claim | None:
        """Take the right to post this summary; None if it is done or another owns it.

        The unique key makes the first insert win. A claim whose lease ran out (its owner
        died or stalled) may be taken over until the delivery is done; the new owner must
        then check Slack for a post the old owner may already have made before posting.
        """
        now = self._clock()
        try:
            with self._engine.begin() as db:
                db.execute(
                    insert(deliveries).values(
                        channel_id=channel_id,
                        sheet_key=sheet_key,
                        tab=tab,
                        week=week,
                        owner=owner,
                        lease_until=now + lease,
                        attempts=1,
                        posted=False,
                        charted=False,
                    )
                )
            return Claim(attempts=1, message_ts=None)
        except IntegrityError:
            pass
        key = _delivery_key(channel_id, sheet_key, week, tab)
        with self._engine.begin() as db:
            taken = db.execute(
                update(deliveries)
                .where(key, deliveries.c.charted.is_(False), deliveries.c.lease_until < now)
                .values(owner=owner, lease_until=now + lease, attempts=deliveries.c.attempts + 1)
            )
            if taken.rowcount != 1:
                return None
            row = db.execute(
                select(deliveries.c.attempts, deliveries.c.message_ts).where(key)
            ).one()
        return Claim(attempts=row.attempts, message_ts=row.message_ts)

    def renew_delivery(
        self,
        channel_id: str,
        sheet_key: str,
        week: date,
        owner: str,
        lease: timedelta,
        *,
        tab: int = 0,
    ) -> bool:
        """The fence: extend our lease, in one statement, only if the claim is still ours.

        False means another replica took the claim over (ours had run out): we must not
        write to Slack any more. A lease that ran out with nobody taking over is still ours.
        """
        with self._engine.begin() as db:
            result = db.execute(
                update(deliveries)
                .where(_delivery_key(channel_id, sheet_key, week, tab))
                .where(deliveries.c.owner == owner, deliveries.c.charted.is_(False))
                .values(lease_until=self._clock() + lease)
            )
        return result.rowcount == 1

    def delivery_attempts(
        self, channel_id: str, sheet_key: str, week: date, *, tab: int = 0
    ) -> int:
        query = select(deliveries.c.attempts).where(_delivery_key(channel_id, sheet_key, week, tab))
        with self._engine.connect() as db:
            return db.execute(query).scalar_one_or_none() or 0

    def mark_posted(
        self,
        channel_id: str,
        sheet_key: str,
        week: date,
        owner: str,
        message_ts: str,
        *,
        tab: int = 0,
    ) -> bool:
        """Record the post; False if this owner lost the claim meanwhile."""
        with self._engine.begin() as db:
            result = db.execute(
                update(deliveries)
                .where(_delivery_key(channel_id, sheet_key, week, tab))
                .where(deliveries.c.owner == owner, deliveries.c.charted.is_(False))
                .values(posted=True, message_ts=message_ts, posted_at=self._clock())
            )
        return result.rowcount == 1

    def mark_charted(
        self, channel_id: str, sheet_key: str, week: date, owner: str, *, tab: int = 0
    ) -> bool:
        """The chart is in the thread: the delivery is done. False if we lost the claim."""
        with self._engine.begin() as db:
            result = db.execute(
                update(deliveries)
                .where(_delivery_key(channel_id, sheet_key, week, tab))
                .where(deliveries.c.owner == owner, deliveries.c.posted.is_(True))
                .values(charted=True)
            )
        return result.rowcount == 1

    def release_delivery(
        self, channel_id: str, sheet_key: str, week: date, owner: str, *, tab: int = 0
    ) -> None:
        """Give a claim back after a failure, so the next pass may take it at once.

        The row stays (its lease simply ends now): the failure may have come after Slack
        stored the message, so whoever takes over next must look in the channel first.
        """
        with self._engine.begin() as db:
            db.execute(
                update(deliveries)
                .where(_delivery_key(channel_id, sheet_key, week, tab))
                .where(deliveries.c.owner == owner, deliveries.c.charted.is_(False))
                .values(lease_until=self._clock() - timedelta(microseconds=1))
            )

    def posted_message(
        self, channel_id: str, sheet_key: str, week: date, *, tab: int = 0
    ) -> str | None:
        query = select(deliveries.c.message_ts).where(
            _delivery_key(channel_id, sheet_key, week, tab), deliveries.c.posted.is_(True)
        )
        with self._engine.connect() as db:
            return db.execute(query).scalar_one_or_none()

    def delivery_done(self, channel_id: str, sheet_key: str, week: date, *, tab: int = 0) -> bool:
        """Posted with its chart: nothing left to do for this summary."""
        query = select(deliveries.c.charted).where(_delivery_key(channel_id, sheet_key, week, tab))
        with self._engine.connect() as db:
            return bool(db.execute(query).scalar_one_or_none())

    def deliveries_since(self, week: date) -> set[tuple[str, str, int, date]]:
        """(channel, spreadsheet, tab, week) of every summary done for ``week`` or later: what
        one scheduler pass needs about every watch, in one query."""
        query = select(
            deliveries.c.channel_id, deliveries.c.sheet_key, deliveries.c.tab, deliveries.c.week
        ).where(deliveries.c.week >= week, deliveries.c.charted.is_(True))
        with self._engine.connect() as db:
            return {(row[0], row[1], row[2], row[3]) for row in db.execute(query)}

    def delivered_weeks(self, channel_id: str, sheet_key: str, *, tab: int = 0) -> set[date]:
        """The weeks whose summary of this tab this channel has received (chart included)."""
        with self._engine.connect() as db:
            return _delivered(db, channel_id, sheet_key, tab)


def _upsert_in(db: Connection, sheet_key: str, values: dict[str, object]) -> None:
    change = update(sheet_syncs).where(sheet_syncs.c.sheet_key == sheet_key).values(values)
    if db.execute(change).rowcount == 0:
        db.execute(insert(sheet_syncs).values(sheet_key=sheet_key, **values))


def _delivery_key(channel_id: str, sheet_key: str, week: date, tab: int = 0) -> ColumnElement[bool]:
    return and_(
        deliveries.c.channel_id == channel_id,
        deliveries.c.sheet_key == sheet_key,
        deliveries.c.tab == tab,
        deliveries.c.week == week,
    )


def _delivered(db: Connection, channel_id: str, sheet_key: str, tab: int) -> set[date]:
    query = select(deliveries.c.week).where(
        deliveries.c.channel_id == channel_id,
        deliveries.c.sheet_key == sheet_key,
        deliveries.c.tab == tab,
        deliveries.c.charted.is_(True),
    )
    return set(db.execute(query).scalars())


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
