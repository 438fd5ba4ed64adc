"""Each watched tab's weekly totals, as its last sync found them (bot/weekly/totals.py).

The sync writes them (``put``), a summary reads them (``get``); the Drive listing tags
totals our own write left without a version once Drive names that version (``retag``),
as the in-memory reuse cache did (bot/weekly/lastread.py), so every replica can use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, Insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.schema import weekly_totals
from bot.weekly.totals import SheetTotals, decode, encode


@dataclass(frozen=True, slots=True)
class StoredTotals:
    version: str | None  # the Drive version they show; None: not known (yet)
    synced_at: datetime
    totals: SheetTotals


class WeeklyTotals:
    """The ``weekly_totals`` table, and nothing else of the store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def put(
        self, sheet_key: str, tab: int, version: str | None, totals: SheetTotals, at: datetime
    ) -> None:
        """The tab's totals as a sync read them at ``at`` (one statement: last writer wins,
        and a sync of one sheet runs on one replica at a time under its claim)."""
        values: dict[str, object] = {"version": version, "synced_at": at, "body": encode(totals)}
        row = {"sheet_key": sheet_key, "tab": tab} | values
        with self._engine.begin() as db:
            db.execute(_upsert(self._engine, row, values))

    def get(self, sheet_key: str, tab: int) -> StoredTotals | None:
        query = select(weekly_totals).where(
            weekly_totals.c.sheet_key == sheet_key, weekly_totals.c.tab == tab
        )
        with self._engine.connect() as db:
            row = db.execute(query).first()
        if row is None:
            return None
        return StoredTotals(row.version, row.synced_at, decode(row.body))

    def retag(self, sheet_key: str, version: str) -> None:
        """Our own write to ``sheet_key`` is Drive's ``version``: totals synced with that
        write (version unknown) show it."""
        with self._engine.begin() as db:
            db.execute(
                update(weekly_totals)
                .where(weekly_totals.c.sheet_key == sheet_key, weekly_totals.c.version.is_(None))
                .values(version=version)
            )


def _upsert(engine: Engine, row: dict[str, object], values: dict[str, object]) -> Insert:
    """INSERT … ON CONFLICT (key) DO UPDATE, in the engine's dialect."""
    keys = [weekly_totals.c.sheet_key, weekly_totals.c.tab]
    if engine.dialect.name == "postgresql":
        pg = postgresql.insert(weekly_totals).values(row)
        return pg.on_conflict_do_update(index_elements=keys, set_=values)
    lite = sqlite.insert(weekly_totals).values(row)
    return lite.on_conflict_do_update(index_elements=keys, set_=values)
