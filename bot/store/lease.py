"""One lease primitive for every row replicas take turns on: take, renew, release, and
writes fenced by the lease they are made under.

The rules, here and nowhere else:

- A lease is held while ``now < until``; at ``until`` it is free (expiry is exclusive).
- Every take, by anyone, bumps the row's epoch. A lease is (row, owner, epoch): whoever
  holds an older epoch has been superseded, however its clock or its thread got delayed.
- Every write made under a lease names that lease in its WHERE clause, in the same
  statement (and so the same transaction) as the change; if the lease moved on it changes
  nothing and `LeaseLost` is raised. A holder whose time ran out with nobody taking over
  still holds it: nobody else can have acted meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, Row, Table, and_, or_, true, update

from bot.store.upsert import upsert


class LeaseLost(Exception):
    """A write under a lease that has moved on to another owner (or epoch): refused."""

    def __init__(self, lease: Lease, table: str) -> None:
        super().__init__(
            f"{lease.owner} no longer holds {table} {'/'.join(map(str, lease.key))} "
            f"(its lease, epoch {lease.epoch}, was taken over): the write was refused"
        )
        self.lease = lease


@dataclass(frozen=True, slots=True)
class Lease:
    """The right to write one row's resource: valid while the row still names this epoch."""

    key: tuple[object, ...]  # the row's key values, in `LeasedRows.key` order
    owner: str
    epoch: int
    until: datetime


def expired(until: datetime | None, now: datetime) -> bool:
    """The comparison, in Python (`LeasedRows.free` is the same in SQL)."""
    return until is None or until <= now


@dataclass(frozen=True)
class LeasedRows:
    """A table whose rows are leased: which columns hold the key, owner, expiry and epoch."""

    table: Table
    key: tuple[str, ...]
    owner: str = "claimed_by"
    until: str = "claimed_until"
    epoch: str = "lease_epoch"

    def free(self, now: datetime) -> ColumnElement[bool]:
        until = self.table.c[self.until]
        return or_(until.is_(None), until <= now)

    def row(self, key: Sequence[object]) -> ColumnElement[bool]:
        return and_(
            *(self.table.c[name] == value for name, value in zip(self.key, key, strict=True))
        )

    def held(self, lease: Lease) -> ColumnElement[bool]:
        """The fence: the row still names this lease's owner and epoch."""
        return and_(
            self.row(lease.key),
            self.table.c[self.owner] == lease.owner,
            self.table.c[self.epoch] == lease.epoch,
        )

    def take(
        self,
        db: Connection,
        key: Sequence[object],
        owner: str,
        now: datetime,
        duration: timedelta,
        *,
        unless: ColumnElement[bool] | None = None,
        first: Mapping[str, object] | None = None,
        again: Mapping[str, object] | None = None,
        returning: Sequence[str] = (),
    ) -> tuple[Lease, Row[tuple[object, ...]]] | None:
        """Take the row's lease for ``duration`` from ``now`` if it is free (creating the row
        with ``first`` if there is none; otherwise also setting ``again``, if ``unless`` is
        not true of it): one statement, so two replicas never both get it. None if held."""
        until = now + duration
        epoch = self.table.c[self.epoch]
        values = dict(zip(self.key, key, strict=True)) | {
            self.owner: owner,
            self.until: until,
            self.epoch: 1,
        }
        change = {self.owner: owner, self.until: until, self.epoch: epoch + 1, **(again or {})}
        allowed = and_(self.free(now), ~unless if unless is not None else true())
        statement = upsert(
            db, self.table, values | dict(first or {}), key=self.key, update=change, where=allowed
        ).returning(epoch, *(self.table.c[name] for name in returning))
        row = db.execute(statement).first()
        if row is None:
            return None
        return Lease(tuple(key), owner, row[0], until), row

    def write(
        self,
        db: Connection,
        lease: Lease,
        values: Mapping[str, object],
        *,
        also: ColumnElement[bool] | None = None,
    ) -> None:
        """Change the leased row, only if ``lease`` still holds it (and ``also``, if given,
        is true of it); raises LeaseLost when it changed nothing."""
        where = self.held(lease) if also is None else and_(self.held(lease), also)
        if db.execute(update(self.table).where(where).values(dict(values))).rowcount != 1:
            raise LeaseLost(lease, self.table.name)

    def renew(
        self,
        db: Connection,
        lease: Lease,
        now: datetime,
        duration: timedelta,
        *,
        also: ColumnElement[bool] | None = None,
    ) -> Lease:
        """The same lease, now held for ``duration`` from ``now``; LeaseLost if it moved on."""
        until = now + duration
        self.write(db, lease, {self.until: until}, also=also)
        return replace(lease, until=until)

    def release(self, db: Connection, lease: Lease, now: datetime) -> bool:
        """Give the lease back: free from ``now``. False if it had moved on already."""
        try:
            self.write(db, lease, {self.until: now})
        except LeaseLost:
            return False
        return True
