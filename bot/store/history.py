"""Running-total snapshots: a sheet of cumulative totals becomes weeks through these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Engine, select

from bot.store.records import Clock, utc_now
from bot.store.schema import snapshots
from bot.store.upsert import upsert
from core.ctr import Counts
from core.weekly import Snapshot

_KEY = ("sheet_key", "tab", "campaign", "week")  # uq_snapshots_sheet_tab_campaign_week


class History:
    """Reads and writes of the snapshots table; every method is one short transaction."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def record_snapshots(
        self, sheet_key: str, week: date, totals: Iterable[tuple[str, Counts]], *, tab: int = 0
    ) -> None:
        """Keep each campaign's latest running totals for ``week`` (one row per week), per
        tab: two tabs with the same campaign names are two histories."""
        now = self._clock()
        with self._engine.begin() as db:
            for campaign, counts in totals:
                row = {
                    "sheet_key": sheet_key,
                    "tab": tab,
                    "campaign": campaign,
                    "week": week,
                    "clicks": counts.clicks,
                    "impressions": counts.impressions,
                    "recorded_at": now,
                }
                db.execute(upsert(db, snapshots, row, key=_KEY))

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
