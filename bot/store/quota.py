"""Google's quota as token buckets in the store, so every replica takes from the same ones.

Google counts a service account as one user however many processes use it: replicas keeping
buckets each in their own memory would together send a multiple of the quota. Here a token is
taken by a conditional UPDATE per bucket in one transaction (user, then project: the same
order everywhere, so replicas never deadlock), and the refill is computed in that UPDATE from
the row itself, so two replicas can't both take the last token.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from sqlalchemy import ColumnElement, Engine, Update, case, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.schema import quota_buckets
from sheets.api import Bucket, Priority

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

    def take(self, buckets: Sequence[Bucket], priority: Priority, now: float) -> float:
        for bucket in buckets:
            self._ensure(bucket, now)
        with self._engine.connect() as db:
            with db.begin() as transaction:
                for bucket in buckets:
                    if db.execute(_take(bucket, bucket.need(priority), now)).rowcount != 1:
                        transaction.rollback()
                        break
                else:
                    return 0.0
            names = [bucket.name for bucket in buckets]
            rows = db.execute(select(quota_buckets).where(quota_buckets.c.name.in_(names))).all()
        held = {row.name: (row.tokens, row.updated) for row in rows}
        waits = [RETRY]
        for bucket in buckets:
            if bucket.name in held:
                waits.append(bucket.wait(*held[bucket.name], bucket.need(priority), now))
            else:  # someone emptied the table: create the row again on the next try
                self._known.discard(bucket.name)
        return max(waits) + JITTER * self._jitter()

    def _ensure(self, bucket: Bucket, now: float) -> None:
        if bucket.name in self._known:
            return
        exists = select(quota_buckets.c.name).where(quota_buckets.c.name == bucket.name)
        try:
            with self._engine.begin() as db:
                if db.execute(exists).first() is None:
                    row = {"name": bucket.name, "tokens": float(bucket.burst), "updated": now}
                    db.execute(insert(quota_buckets).values(row))
        except IntegrityError:  # another replica created it first: theirs is as good
            pass
        self._known.add(bucket.name)


def _level(bucket: Bucket, now: float) -> ColumnElement[float]:
    """`Bucket.level` in SQL, computed from the row itself inside the UPDATE that takes."""
    elapsed = case((quota_buckets.c.updated < now, now - quota_buckets.c.updated), else_=0.0)
    refilled = quota_buckets.c.tokens + elapsed * bucket.rate
    return case((refilled > bucket.burst, float(bucket.burst)), else_=refilled)


def _take(bucket: Bucket, need: float, now: float) -> Update:
    level = _level(bucket, now)
    return (
        update(quota_buckets)
        .where(quota_buckets.c.name == bucket.name, level >= need)
        .values(
            tokens=level - 1,
            updated=case((quota_buckets.c.updated < now, now), else_=quota_buckets.c.updated),
        )
    )
