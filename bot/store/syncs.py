"""Sync state and Drive listings: what each watched spreadsheet was last synced from, who
syncs it now, and who lists Drive's changes for every replica (both under leases)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, case, func, select

from bot.store.lease import Lease, LeasedRows
from bot.store.records import ChangePoll, Clock, FeedFailure, SyncState, utc_now
from bot.store.schema import change_polls, sheet_syncs
from bot.store.upsert import upsert

SHEETS = LeasedRows(sheet_syncs, ("sheet_key",))
POLLS = LeasedRows(change_polls, ("account",))


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

    def claim_sheet(self, sheet_key: str, owner: str, duration: timedelta) -> Lease | None:
        """The sheet's syncing for ``duration`` from now, unless another replica holds it."""
        with self._engine.begin() as db:
            taken = SHEETS.take(db, (sheet_key,), owner, self._clock(), duration)
        return taken[0] if taken else None

    def renew_sheet(self, lease: Lease, duration: timedelta) -> Lease:
        """Keep syncing the sheet for ``duration`` from now; LeaseLost if another took it."""
        with self._engine.begin() as db:
            return SHEETS.renew(db, lease, self._clock(), duration)

    def record_sync(self, lease: Lease, version: str | None, synced_at: datetime) -> None:
        """A full sync of the sheet ended at ``synced_at``, from ``version`` (None: unknown,
        the stored one stands); LeaseLost if another replica took the sheet meanwhile."""
        values: dict[str, object] = {"synced_at": synced_at}
        if version is not None:
            values["version"] = version
        with self._engine.begin() as db:
            SHEETS.write(db, lease, values)

    def claim_change_poll(self, account: str, owner: str, duration: timedelta) -> ChangePoll | None:
        """The listing of ``account``'s Drive changes for ``duration`` from now, unless
        another replica holds it (None): one listing serves every replica."""
        with self._engine.begin() as db:
            taken = POLLS.take(
                db, (account,), owner, self._clock(), duration, returning=("listed_at",)
            )
        if taken is None:
            return None
        lease, row = taken
        return ChangePoll(row.listed_at, lease)

    def release_sheet(self, lease: Lease) -> bool:
        """End our claim on the sheet now (a sync cut short), so another replica may take it
        at once; False if it had moved on already."""
        with self._engine.begin() as db:
            return SHEETS.release(db, lease, self._clock())

    def release_change_poll(self, poll: ChangePoll) -> bool:
        """End our turn at listing Drive's changes now (a listing cut short)."""
        with self._engine.begin() as db:
            return POLLS.release(db, poll.lease, self._clock())

    def record_listing(
        self, poll: ChangePoll, listed_at: datetime, adopt: dict[str, str], report: dict[str, str]
    ) -> None:
        """What a Drive listing asked for at ``listed_at`` found: versions that are our own
        writes (nothing to read) and versions someone else made (to sync), in one transaction.

        Fenced: if another replica took the poll over (ours outlived its lease), nothing is
        written and LeaseLost is raised, so a late listing never overwrites a newer one's
        findings. The fenced write comes first: it locks the poll's row until we commit.
        """
        newer = case(
            (change_polls.c.listed_at > listed_at, change_polls.c.listed_at), else_=listed_at
        )
        with self._engine.begin() as db:
            POLLS.write(
                db, poll.lease, {"listed_at": newer, "failure": None, "failing_since": None}
            )
            for key, version in adopt.items():
                _put(db, key, {"version": version, "reported_version": None})
            for key, version in report.items():
                _put(db, key, {"reported_version": version})

    def record_listing_failure(self, poll: ChangePoll, failure: str) -> None:
        """Drive's listing failed: kept for every replica's /ctr status (since: the first).
        LeaseLost if another replica took the poll over meanwhile."""
        since = func.coalesce(change_polls.c.failing_since, self._clock())
        with self._engine.begin() as db:
            POLLS.write(db, poll.lease, {"failure": failure, "failing_since": since})

    def feed_failures(self) -> list[FeedFailure]:
        """Every Drive change listing failing now (its last attempt failed)."""
        query = select(change_polls).where(change_polls.c.failure.is_not(None))
        with self._engine.connect() as db:
            return [
                FeedFailure(row.account, row.failure, row.failing_since)
                for row in db.execute(query)
            ]


def _put(db: Connection, sheet_key: str, values: dict[str, object]) -> None:
    db.execute(upsert(db, sheet_syncs, {"sheet_key": sheet_key, **values}, key=("sheet_key",)))
