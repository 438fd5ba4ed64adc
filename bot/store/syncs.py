"""Sync state and Drive listings: what each watched spreadsheet was last synced from, who
syncs it this interval, and who lists Drive's changes for every replica."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.records import ChangePoll, Clock, FeedFailure, SyncState, utc_now
from bot.store.schema import change_polls, sheet_syncs


class SheetSyncs:
    """Reads and writes of sheet_syncs and change_polls; each method one short transaction."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

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

    def release_sheet(self, sheet_key: str, owner: str) -> None:
        """End our claim on the sheet now (a sync cut short), so another replica may take it."""
        with self._engine.begin() as db:
            db.execute(
                update(sheet_syncs)
                .where(sheet_syncs.c.sheet_key == sheet_key, sheet_syncs.c.claimed_by == owner)
                .values(claimed_until=self._clock() - timedelta(microseconds=1))
            )

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

    def release_change_poll(self, account: str, owner: str) -> None:
        """End our turn at listing ``account``'s changes now (a listing cut short)."""
        with self._engine.begin() as db:
            db.execute(
                update(change_polls)
                .where(change_polls.c.account == account, change_polls.c.claimed_by == owner)
                .values(claimed_until=self._clock() - timedelta(microseconds=1))
            )

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


def _upsert_in(db: Connection, sheet_key: str, values: dict[str, object]) -> None:
    change = update(sheet_syncs).where(sheet_syncs.c.sheet_key == sheet_key).values(values)
    if db.execute(change).rowcount == 0:
        db.execute(insert(sheet_syncs).values(sheet_key=sheet_key, **values))
