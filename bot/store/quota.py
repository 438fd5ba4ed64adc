"""Google's quota as token buckets in the store, so every replica takes from the same ones.

Google counts a service account as one user however many processes use it: replicas keeping
buckets each in their own memory would together send a multiple of the quota. Here a token is
taken by a conditional UPDATE per bucket in one transaction (user, then project: the same
order everywhere, so replicas never deadlock), and the refill is computed in that UPDATE from
the row itself, so two replicas can't both take the last token.

A bucket's size (requests a minute) is stored with it, and the UPDATE computes burst, rate and
what a request needs from the stored size, not from the caller's setting: replicas started
with different SHEETS_QUOTA_PER_MINUTE still agree on every bucket. The rule: the replica that
starts (first uses the bucket) last sets the size, as a deploy of a new setting does; any
replica whose own setting differs is told (`mismatches`, shown in /ctr status and logged).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence

from sqlalchemy import ColumnElement, Engine, Update, case, select, update

from bot.store.schema import quota_buckets
from bot.store.upsert import upsert
from sheets.api import URGENT_RESERVE, WINDOW, Bucket, Priority

log = logging.getLogger(__name__)
# What to wait when the tokens were there by the time we looked again (another replica's
# refill or take between our UPDATE and SELECT): try again almost at once.
RETRY = 0.01
# Up to this much is added to each wait at random. Replicas waiting for the same refill would
# otherwise all wake at the same moment, and whoever asks first each time (the one that just
# took a token, say) would starve the rest. The tokens are not lost meanwhile: the bucket
# keeps filling.
JITTER = 0.2


class StoreLedger:
    """A `sheets.quota.Ledger` in the bot's database (PostgreSQL for replicas, or SQLite)."""

    def __init__(self, engine: Engine, jitter: Callable[[], float] = random.random) -> None:
        """``jitter``: a number in [0, 1) each call (seed one for a deterministic run)."""
        self._engine = engine
        self._jitter = jitter
        self._known: set[str] = set()
        self._lock = threading.Lock()
        self._mismatches: dict[str, tuple[int, int]] = {}

    def mismatches(self) -> dict[str, tuple[int, int]]:
        """Bucket name -> (this replica's size, the stored size every replica uses), for
        each bucket whose sizes differ now."""
        with self._lock:
            return dict(self._mismatches)

    def take(self, buckets: Sequence[Bucket], priority: Priority, now: float) -> float:
        for bucket in buckets:
            self._ensure(bucket, now)
        with self._engine.connect() as db:
            with db.begin() as transaction:
                for bucket in buckets:
                    row = db.execute(_take(bucket, priority, now)).first()
                    if row is None:
                        transaction.rollback()
                        break
                    self._note_size(bucket, row.per_minute)
                else:
                    return 0.0
            names = [bucket.name for bucket in buckets]
            rows = db.execute(select(quota_buckets).where(quota_buckets.c.name.in_(names))).all()
        held = {row.name: row for row in rows}
        waits = [RETRY]
        for bucket in buckets:
            if (row := held.get(bucket.name)) is not None:
                self._note_size(bucket, row.per_minute)
                stored = Bucket(bucket.name, row.per_minute)  # the size every replica uses
                waits.append(stored.wait(row.tokens, row.updated, stored.need(priority), now))
            else:  # someone emptied the table: create the row again on the next try
                with self._lock:
                    self._known.discard(bucket.name)
        return max(waits) + JITTER * self._jitter()

    def _ensure(self, bucket: Bucket, now: float) -> None:
        """Create the bucket, full, or (first use in this process) set its size to ours."""
        with self._lock:
            if bucket.name in self._known:
                return
        row = {
            "name": bucket.name,
            "tokens": float(bucket.burst),
            "updated": now,
            "per_minute": bucket.per_minute,
        }
        with self._engine.begin() as db:
            db.execute(
                upsert(
                    db, quota_buckets, row, key=("name",), update={"per_minute": bucket.per_minute}
                )
            )
        with self._lock:
            self._known.add(bucket.name)

    def _note_size(self, bucket: Bucket, stored: int) -> None:
        with self._lock:
            before = self._mismatches.get(bucket.name)
            if stored == bucket.per_minute:
                self._mismatches.pop(bucket.name, None)
                return
            self._mismatches[bucket.name] = (bucket.per_minute, stored)
        if before != (bucket.per_minute, stored):
            log.warning(
                "quota bucket %s is %d a minute in the store (set by the replica that started "
                "last), this replica's setting %d: the stored size is used; give every "
                "replica the same SHEETS_QUOTA_PER_MINUTE",
                *(bucket.name, stored, bucket.per_minute),
            )


def _burst() -> ColumnElement[int]:
    """`Bucket.burst` in SQL, from the stored size."""
    tenth = quota_buckets.c.per_minute // 10
    return case((tenth > 1, tenth), else_=1)


def _rate() -> ColumnElement[float]:
    """`Bucket.rate` in SQL, from the stored size."""
    refilled = quota_buckets.c.per_minute - _burst()
    return case((refilled > 1, refilled), else_=1) * (1.0 / WINDOW)


def _need(priority: Priority) -> ColumnElement[float] | float:
    """`Bucket.need` in SQL, from the stored size."""
    if priority is Priority.URGENT:
        return 1.0
    reserve = _burst() - 1
    return 1.0 + case((reserve < URGENT_RESERVE, reserve), else_=URGENT_RESERVE)


def _level(now: float) -> ColumnElement[float]:
    """`Bucket.level` in SQL, computed from the row itself inside the UPDATE that takes."""
    elapsed = case((quota_buckets.c.updated < now, now - quota_buckets.c.updated), else_=0.0)
    refilled = quota_buckets.c.tokens + elapsed * _rate()
    burst = _burst()
    return case((refilled > burst, burst * 1.0), else_=refilled)


def _take(bucket: Bucket, priority: Priority, now: float) -> Update:
    level = _level(now)
    return (
        update(quota_buckets)
        .where(quota_buckets.c.name == bucket.name, level >= _need(priority))
        .values(
            tokens=level - 1,
            updated=case((quota_buckets.c.updated < now, now), else_=quota_buckets.c.updated),
        )
        .returning(quota_buckets.c.per_minute)
    )
