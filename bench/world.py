"""The simulated world the quota and burst benchmarks share: synced campaign sheets, people
editing them at planned virtual times, the store's database, and the sync loop's failures."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from bench.simtime import VirtualTime
from sheets.backends import MARKER_KEY
from tests.fakes.google_api import (
    PERSON,
    Cell,
    FakeGoogle,
    Marker,
    Value,
    Worksheet,
)
from tests.fakes.google_quota import Kind
from tests.postgres import running_postgres

EMAIL = "bench@bench-project.iam.gserviceaccount.com"
INTERVAL = 15 * 60.0
MAX_REPLICAS = 20  # threads (and database connections) in one process
PERCENT = {"type": "PERCENT", "pattern": "0.00%"}
QUOTA = 60  # Google's reads (and writes) a minute per user: all replicas share one account


def synced_sheet(clicks: int) -> Worksheet:
    """A small campaign sheet as a past sync left it: CTR column marked, filled, formatted."""
    header: list[Value] = ["Date", "Campaign", "Impressions", "Clicks", "CTR", "CTR status"]
    values: list[list[Value]] = [header] + [
        ["2026-11-16", f"C{row}", 1000, clicks, clicks / 1000, None] for row in range(5)
    ]
    sheet = Worksheet.of("Daily", 0, values, row_count=6, column_count=6)
    for row in sheet.rows[1:]:
        row[4].number_format = PERCENT
    sheet.markers = [Marker(1, MARKER_KEY, "ctr", 4), Marker(2, MARKER_KEY, "status", 5)]
    return sheet


@dataclass
class Run:
    name: str
    per_interval: list[dict[Kind, int]] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)
    unsynced: int = 0  # edits unsynced for over an interval when the run ended
    refused: int = 0
    failures: list[str] = field(default_factory=list)  # failed syncs: the loop's warnings
    synced: list[int] = field(default_factory=list)  # sheets synced, per replica
    hours: float = 0.0  # virtual hours until the last replica's last pass ended
    wall: float = 0.0


class Failures(logging.Handler):
    """Collects the sync loop's per-sheet warnings (failed syncs) instead of printing them."""

    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("sync of"):
            reason = record.exc_info[1] if record.exc_info else None
            self.into.append(f"{record.getMessage()}{f': {reason!r}' if reason else ''}")


@contextmanager
def counting_failures(into: list[str]) -> Iterator[None]:
    logger = logging.getLogger("bot.weekly.watched_sync")
    handler = Failures(into)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


@contextmanager
def database(kind: str, tmp: Path, bench: str = "bench_quota") -> Iterator[str]:
    """A SQLAlchemy URL of an empty database of ``kind``, gone afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'state.sqlite3'}"
    else:
        with running_postgres() as url:
            print(f"{bench}: store ready (PostgreSQL)", flush=True)  # tests Ctrl-C from here
            yield url


class Edits:
    """People editing sheets at planned virtual times, and how long each took to be synced."""

    def __init__(
        self,
        google: FakeGoogle,
        keys: list[str],
        rng: random.Random,
        share: float,
        run: Run,
        *,
        vt: VirtualTime,
    ) -> None:
        self.google, self.keys, self.rng, self.share, self.run = google, keys, rng, share, run
        self.vt = vt
        self.pending: dict[str, tuple[float, int]] = {}  # key -> (first unsynced edit, clicks)
        self.start = google.clock()
        self._counted = dict.fromkeys(Kind, 0)

    def plan_until(self, end: float) -> None:
        """Edits until ``end``; intervals close every INTERVAL for as long as replicas run."""
        t = self.start
        while t < end:
            for key in self.rng.sample(self.keys, int(len(self.keys) * self.share)):
                when = t + self.rng.uniform(0, INTERVAL)
                self.vt.at(when, partial(self._edit, key, self.rng.randint(11, 999)))
            t += INTERVAL
        self.vt.at(self.start + INTERVAL, self._close_interval)

    def check(self) -> None:
        now = self.google.clock()
        for key, (edited, clicks) in list(self.pending.items()):
            if self.google.spreadsheets[key][0].rows[1][4].value == clicks / 1000:
                self.run.lags.append(now - edited)
                del self.pending[key]

    def _edit(self, key: str, clicks: int) -> None:
        self.check()  # what the replicas synced before this moment
        sheet = self.google.spreadsheets[key][0]
        for row in sheet.rows[1:]:
            row[3] = Cell(clicks)
        self.google.touch(key, PERSON)
        first = self.pending.get(key, (self.google.clock(), 0))[0]
        self.pending[key] = (first, clicks)

    def _close_interval(self) -> None:
        self.check()
        totals = dict.fromkeys(Kind, 0)
        for (_, kind), count in self.google.quota.accepted.items():
            totals[kind] += count
        self.run.per_interval.append({k: totals[k] - self._counted[k] for k in Kind})
        self._counted = totals
        # The next close is pending while a replica still runs (a pass may overrun the end).
        self.vt.at(self.start + INTERVAL * (len(self.run.per_interval) + 1), self._close_interval)
