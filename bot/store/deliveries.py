"""Deliveries: exactly one summary per (workspace, channel, sheet, tab, week), claimed under a
lease. The workspace is part of the key: a Slack Connect channel has one id in every
workspace sharing it, and each workspace's watch of it owes its own summary."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, Connection, Engine, and_, select

from bot.store.lease import Lease, LeasedRows
from bot.store.records import Claim, Clock, utc_now
from bot.store.schema import deliveries

# A delivery's epoch is its ``attempts``: every claim, first or taking over, bumps it.
DELIVERIES = LeasedRows(
    deliveries,
    ("team_id", "channel_id", "sheet_key", "tab", "week"),
    owner="owner",
    until="lease_until",
    epoch="attempts",
)
_not_charted = deliveries.c.charted.is_(False)


class Deliveries:
    """Reads and writes of the deliveries table; every method is one short transaction."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def claim_delivery(
        self,
        channel_id: str,
        sheet_key: str,
        week: date,
        owner: str,
        lease: timedelta,
        *,
        tab: int = 0,
        team_id: str = "",
    ) -> Claim | None:
        """Take the right to post this summary for ``lease``; None if it is done or another
        owner holds it.

        A claim whose lease ran out (its owner died or stalled) may be taken over until the
        delivery is done; the new owner must then check Slack for a post the old owner may
        already have made before posting (``attempts`` > 1 says so).
        """
        key = (team_id, channel_id, sheet_key, tab, week)
        first = {"posted": False, "charted": False}
        with self._engine.begin() as db:
            taken = DELIVERIES.take(
                db,
                key,
                owner,
                self._clock(),
                lease,
                unless=deliveries.c.charted.is_(True),
                first=first,
                returning=("message_ts",),
            )
        if taken is None:
            return None
        held, row = taken
        return Claim(attempts=held.epoch, message_ts=row.message_ts, lease=held)

    def renew_delivery(self, held: Lease, lease: timedelta) -> Lease:
        """The fence: extend our lease, in one statement, only if the claim is still ours.

        LeaseLost means another replica took the claim over (ours had run out): we must not
        write to Slack any more. A lease that ran out with nobody taking over is still ours.
        """
        with self._engine.begin() as db:
            return DELIVERIES.renew(db, held, self._clock(), lease, also=_not_charted)

    def delivery_attempts(
        self, channel_id: str, sheet_key: str, week: date, *, tab: int = 0, team_id: str = ""
    ) -> int:
        query = select(deliveries.c.attempts).where(
            _delivery_key(team_id, channel_id, sheet_key, week, tab)
        )
        with self._engine.connect() as db:
            return db.execute(query).scalar_one_or_none() or 0

    def mark_posted(self, held: Lease, message_ts: str) -> None:
        """Record the post; LeaseLost if this owner lost the claim meanwhile."""
        values = {"posted": True, "message_ts": message_ts, "posted_at": self._clock()}
        with self._engine.begin() as db:
            DELIVERIES.write(db, held, values, also=_not_charted)

    def mark_charted(self, held: Lease) -> None:
        """The chart is in the thread: the delivery is done. LeaseLost if we lost the claim."""
        with self._engine.begin() as db:
            DELIVERIES.write(db, held, {"charted": True}, also=deliveries.c.posted.is_(True))

    def release_delivery(self, held: Lease) -> None:
        """Give a claim back after a failure, so the next pass may take it at once.

        The row stays (its lease simply ends now): the failure may have come after Slack
        stored the message, so whoever takes over next must look in the channel first.
        """
        with self._engine.begin() as db:
            DELIVERIES.release(db, held, self._clock())

    def posted_message(
        self, channel_id: str, sheet_key: str, week: date, *, tab: int = 0, team_id: str = ""
    ) -> str | None:
        query = select(deliveries.c.message_ts).where(
            _delivery_key(team_id, channel_id, sheet_key, week, tab), deliveries.c.posted.is_(True)
        )
        with self._engine.connect() as db:
            return db.execute(query).scalar_one_or_none()

    def delivery_done(
        self, channel_id: str, sheet_key: str, week: date, *, tab: int = 0, team_id: str = ""
    ) -> bool:
        """Posted with its chart: nothing left to do for this summary."""
        query = select(deliveries.c.charted).where(
            _delivery_key(team_id, channel_id, sheet_key, week, tab)
        )
        with self._engine.connect() as db:
            return bool(db.execute(query).scalar_one_or_none())

    def deliveries_since(self, week: date) -> set[tuple[str, str, str, int, date]]:
        """(workspace, channel, spreadsheet, tab, week) of every summary done for ``week`` or
        later: what one scheduler pass needs about every watch, in one query."""
        c = deliveries.c
        query = select(c.team_id, c.channel_id, c.sheet_key, c.tab, c.week).where(
            c.week >= week, c.charted.is_(True)
        )
        with self._engine.connect() as db:
            return {(row[0], row[1], row[2], row[3], row[4]) for row in db.execute(query)}

    def delivered_weeks(
        self, channel_id: str, sheet_key: str, *, tab: int = 0, team_id: str = ""
    ) -> set[date]:
        """The weeks whose summary of this tab this channel has received (chart included)."""
        with self._engine.connect() as db:
            return delivered_in(db, channel_id, sheet_key, tab, team_id)


def _delivery_key(
    team_id: str, channel_id: str, sheet_key: str, week: date, tab: int = 0
) -> ColumnElement[bool]:
    return and_(
        deliveries.c.team_id == team_id,
        deliveries.c.channel_id == channel_id,
        deliveries.c.sheet_key == sheet_key,
        deliveries.c.tab == tab,
        deliveries.c.week == week,
    )


def delivered_in(
    db: Connection, channel_id: str, sheet_key: str, tab: int, team_id: str = ""
) -> set[date]:
    query = select(deliveries.c.week).where(
        deliveries.c.team_id == team_id,
        deliveries.c.channel_id == channel_id,
        deliveries.c.sheet_key == sheet_key,
        deliveries.c.tab == tab,
        deliveries.c.charted.is_(True),
    )
    return set(db.execute(query).scalars())
