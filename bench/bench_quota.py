"""10,000 watched sheets on one service account against Google's quota, in virtual time.

Run: .venv/bin/python bench/bench_quota.py [--sheets 10000 --hours 8 --edits 0.02]
Real gspread + google-auth over HTTP against the fake Google, which enforces 60 reads + 60
writes a minute per user and 300 per project (429 beyond) on a virtual clock; the client's
quota scheduler waits on that clock, so 8 hours take minutes. Each 15-minute interval a random
2 % of the sheets are edited at random moments (a person changing a click count). Reported per
approach: requests per interval (reads, writes, Drive), 429s, and the freshness lag of edited
sheets (edit -> its CTR cell right). Start state: every sheet synced once, its last sync spread
over the past day (the steady state). Baseline in the same run: today's loop, every watched
sheet every interval. One replica (SQLite store).
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.store.engine import connect, migrate
from bot.store.repository import NewWatch, Store
from bot.weekly.access import GoogleSheetAccess
from bot.weekly.runtime import CHANGE_POLL, WatchedSheetsSync
from core.schedule import Weekday
from sheets.backends import MARKER_KEY
from sheets.changes import DriveChanges
from sheets.client import make_client
from sheets.quota import QuotaScheduler
from sheets.settings import SheetsSettings
from tests.fakes.google_api import (
    PERSON,
    Cell,
    FakeGoogle,
    Marker,
    Worksheet,
    running_fake_google,
    write_service_account_key,
)
from tests.fakes.google_quota import Kind

EMAIL = "bench@bench-project.iam.gserviceaccount.com"
INTERVAL = 15 * 60.0
PERCENT = {"type": "PERCENT", "pattern": "0.00%"}


def synced_sheet(clicks: int) -> Worksheet:
    """A small campaign sheet as a past sync left it: CTR column marked, filled, formatted."""
    values = [["Date", "Campaign", "Impressions", "Clicks", "CTR", "CTR status"]] + [
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
    wall: float = 0.0


def run(name: str, smart: bool, args: argparse.Namespace, key_pem: bytes, public: bytes) -> Run:
    rng = random.Random(args.seed)  # both approaches see the same edits
    result = Run(name)
    started = time.perf_counter()
    with running_fake_google(public, EMAIL) as google, tempfile.TemporaryDirectory() as tmp:
        keys = [f"bench{index:05d}" for index in range(args.sheets)]
        for key in keys:
            google.spreadsheets[key] = [synced_sheet(10)]
        store = seeded_store(Path(tmp), google, keys, rng)
        clock = google.clock
        edits = Edits(google, keys, rng, args.edits, result)
        edits.plan_until(clock() + args.hours * 3600)

        def sleep(seconds: float) -> None:  # the only place virtual time moves
            edits.advance(seconds)

        key_file = write_service_account_key(
            Path(tmp) / "key.json", key_pem.decode(), EMAIL, google.base_url
        )
        settings = SheetsSettings(key_file, google.base_url.rstrip("/"), quota_per_minute=60)
        quota = QuotaScheduler(60, clock=clock, sleep=sleep)
        client, _ = make_client(settings, sleep=sleep, quota=quota)
        loop = WatchedSheetsSync(
            store,
            GoogleSheetAccess(client, EMAIL),
            clock.datetime,
            changes=DriveChanges(client) if smart else None,
            # Today's loop has no deadline: a pass goes through every sheet, however long.
            interval=timedelta(seconds=INTERVAL if smart else 10**9),
        )
        every = CHANGE_POLL if smart else INTERVAL
        end = clock() + args.hours * 3600
        while clock() < end:
            pass_start = clock()
            loop.run_once()
            edits.check()
            edits.advance(max(0.0, pass_start + every - clock()))
        result.per_interval = edits.intervals
        result.unsynced = sum(
            1 for first, _ in edits.pending.values() if clock() - first > INTERVAL
        )
        result.refused = google.quota.refusals()
    result.wall = time.perf_counter() - started
    return result


def seeded_store(tmp: Path, google: FakeGoogle, keys: list[str], rng: random.Random) -> Store:
    engine = connect(f"sqlite:///{tmp / 'state.sqlite3'}")
    migrate(engine)
    store = Store(engine, google.clock.datetime)
    now = google.clock.datetime()
    for key in keys:
        store.add_watch(
            NewWatch(
                "T1",
                "C1",
                key,
                f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0",
                Weekday.MONDAY,
                clock_time(9),
                "UTC",
                "U1",
            )
        )
        last = now - timedelta(seconds=rng.uniform(0, 86_400))
        store.record_sync(key, google.modified_time(key), last)
    return store


class Edits:
    """People editing sheets at planned virtual times, and how long each took to be synced."""

    def __init__(
        self, google: FakeGoogle, keys: list[str], rng: random.Random, share: float, run: Run
    ) -> None:
        self.google, self.keys, self.rng, self.share, self.run = google, keys, rng, share, run
        self.planned: list[tuple[float, str, int]] = []  # (when, key, clicks)
        self.pending: dict[str, tuple[float, int]] = {}  # key -> (first unsynced edit, clicks)
        self.intervals: list[dict[Kind, int]] = []
        self.start = google.clock()
        self._counted = dict.fromkeys(Kind, 0)

    def plan_until(self, end: float) -> None:
        t = self.start
        while t < end:
            for key in self.rng.sample(self.keys, int(len(self.keys) * self.share)):
                when = t + self.rng.uniform(0, INTERVAL)
                heapq.heappush(self.planned, (when, key, self.rng.randint(11, 999)))
            t += INTERVAL

    def advance(self, seconds: float) -> None:
        clock = self.google.clock
        target = clock() + seconds
        while self.planned and self.planned[0][0] <= target:
            when, key, clicks = heapq.heappop(self.planned)
            self._to(max(when, clock()))
            sheet = self.google.spreadsheets[key][0]
            for row in sheet.rows[1:]:
                row[3] = Cell(clicks)
            self.google.touch(key, PERSON)
            first = self.pending.get(key, (clock(), 0))[0]
            self.pending[key] = (first, clicks)
        self._to(target)
        self.check()

    def check(self) -> None:
        now = self.google.clock()
        for key, (edited, clicks) in list(self.pending.items()):
            if self.google.spreadsheets[key][0].rows[1][4].value == clicks / 1000:
                self.run.lags.append(now - edited)
                del self.pending[key]

    def _to(self, moment: float) -> None:
        clock = self.google.clock
        while moment >= self.start + INTERVAL * (len(self.intervals) + 1):
            clock.advance(self.start + INTERVAL * (len(self.intervals) + 1) - clock())
            self._close_interval()
        clock.advance(moment - clock())

    def _close_interval(self) -> None:
        totals = dict.fromkeys(Kind, 0)
        for (_, kind), count in self.google.quota.accepted.items():
            totals[kind] += count
        self.intervals.append({k: totals[k] - self._counted[k] for k in Kind})
        self._counted = totals


def report(runs: list[Run], args: argparse.Namespace) -> None:
    print(
        f"{args.sheets:,} watched sheets, {args.hours} virtual hours, 15-min intervals, "
        f"{args.edits:.0%} edited per interval, 1 replica"
    )
    header = (
        f"{'approach':<34}{'reads/int':>10}{'max':>6}{'writes/int':>11}{'drive/int':>10}"
        f"{'429s':>6}{'lag p50 min':>12}{'worst lag min':>14}{'unsynced':>9}{'wall s':>8}"
    )
    print(header)
    for r in runs:
        reads = [i[Kind.READ] for i in r.per_interval]
        writes = [i[Kind.WRITE] for i in r.per_interval]
        drive = [i[Kind.DRIVE] for i in r.per_interval]
        p50 = statistics.median(r.lags) / 60 if r.lags else float("nan")
        worst = max(r.lags, default=float("nan")) / 60
        print(
            f"{r.name:<34}{statistics.mean(reads):>10.0f}{max(reads):>6}"
            f"{statistics.mean(writes):>11.0f}{statistics.mean(drive):>10.1f}{r.refused:>6}"
            f"{p50:>12.1f}{worst:>14.1f}{r.unsynced:>9}{r.wall:>8.0f}"
        )
    smart, base = runs
    met = smart.refused == 0 and smart.lags and max(smart.lags) <= INTERVAL and not smart.unsynced
    print(f"goal (0 x 429, every edit synced within 15 min): {'met' if met else 'NOT met'}")
    if base.lags and smart.lags:
        print(f"worst lag, baseline / change detection = {max(base.lags) / max(smart.lags):.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=10_000)
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--edits", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    runs = [
        run("change detection (Drive) + quota", True, args, pem, public),
        run("baseline: every sheet every pass", False, args, pem, public),
    ]
    report(runs, args)


if __name__ == "__main__":
    main()
