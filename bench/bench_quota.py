"""10,000 watched sheets on one service account against Google's quota, in virtual time.

Run: .venv/bin/python bench/bench_quota.py [--sheets 10000 --hours 8 --edits 0.02 --replicas 3]
Real gspread + google-auth over HTTP against the fake Google, which enforces 60 reads + 60
writes a minute per user and 300 per project (429 beyond) on a virtual clock; the client's
quota scheduler waits on that clock, so 8 hours take minutes. Each 15-minute interval a random
2 % of the sheets are edited at random moments (a person changing a click count). Reported per
approach: requests per interval (reads, writes, Drive), 429s, and the freshness lag of edited
sheets (edit -> its CTR cell right). Start state: every sheet synced once, its last sync spread
over the past day (the steady state). Baseline in the same run: today's loop, every watched
sheet every interval.

`--replicas N` (default 3) bot replicas share one store (`--database postgres`, a throwaway
server, or `sqlite`), each with its own engine, gspread client, quota scheduler and sync loop
(owner replica-i). They split the sheets through the store's per-sheet claims, share one
Drive listing per turn, and take tokens from the store's quota buckets (one account's 60).
They run as threads taking turns in virtual time (bench/simtime.py): the run is deterministic.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from bench.interrupt import run_main
from bench.simtime import VirtualTime
from bench.world import (
    EMAIL,
    INTERVAL,
    MAX_REPLICAS,
    QUOTA,
    Edits,
    Run,
    counting_failures,
    database,
    synced_sheet,
)
from bot.compose import google_client
from bot.store.engine import connect, migrate
from bot.store.records import NewWatch
from bot.store.repository import Store
from bot.weekly.access import GoogleSheetAccess
from bot.weekly.watched_sync import CHANGE_POLL, WatchedSheetsSync
from core.schedule import Weekday
from sheets.changes import DriveChanges
from sheets.settings import SheetsSettings
from tests.fakes.google_api import (
    FakeGoogle,
    running_fake_google,
    throwaway_key_pair,
    write_service_account_key,
)
from tests.fakes.google_quota import Kind
from tests.postgres import find_bin


def run(name: str, smart: bool, args: argparse.Namespace, key_pem: bytes, public: bytes) -> Run:
    rng = random.Random(args.seed)  # both approaches see the same edits
    result = Run(name)
    started = time.perf_counter()
    with ExitStack() as stack:
        google = stack.enter_context(running_fake_google(public, EMAIL))
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url = stack.enter_context(database(args.database, tmp))
        keys = [f"bench{index:05d}" for index in range(args.sheets)]
        for key in keys:
            google.spreadsheets[key] = [synced_sheet(10)]
        seed_store(url, google, keys, rng)
        clock = google.clock
        vt = VirtualTime(clock)
        end = clock() + args.hours * 3600
        edits = Edits(google, keys, rng, args.edits, result, vt=vt)
        edits.plan_until(end)
        key_file = write_service_account_key(
            tmp / "key.json", key_pem.decode(), EMAIL, google.base_url
        )
        result.synced = [0] * args.replicas

        def replica(index: int) -> Callable[[], None]:
            # As ctr-bot builds its parts (bot/compose.py): the client takes from the store's
            # buckets, shared by the replicas; each replica's jitter seeded for a repeatable run.
            jitter = random.Random(index).random
            store = Store(connect(url), clock.datetime, jitter=jitter)
            settings = SheetsSettings(key_file, google.base_url.rstrip("/"), quota_per_minute=QUOTA)
            client, _ = google_client(settings, store, clock=clock, sleep=vt.sleep)
            client.quota.wait_in_line = vt.wait_in_line  # lines in virtual time too
            loop = WatchedSheetsSync(
                store.syncs,
                store.watches,
                store.history,
                GoogleSheetAccess(client, EMAIL),
                clock.datetime,
                changes=DriveChanges(client) if smart else None,
                # Today's loop has no deadline: a pass goes through every sheet, however long.
                # Its claims then last for ever: the replicas split the sheets once.
                interval=timedelta(seconds=INTERVAL if smart else 10**9),
                owner=f"replica-{index}",
            )
            every = CHANGE_POLL if smart else INTERVAL

            def passes() -> None:
                while clock() < end:
                    pass_start = clock()
                    result.synced[index] += loop.run_once()
                    edits.check()
                    vt.sleep(max(0.0, pass_start + every - clock()))

            return passes

        with counting_failures(result.failures):
            vt.run([replica(index) for index in range(args.replicas)])
        edits.check()
        result.hours = (clock() - edits.start) / 3600
        result.unsynced = sum(
            1 for first, _ in edits.pending.values() if clock() - first > INTERVAL
        )
        result.refused = google.quota.refusals()
    result.wall = time.perf_counter() - started
    return result


def seed_store(url: str, google: FakeGoogle, keys: list[str], rng: random.Random) -> None:
    engine = connect(url)
    migrate(engine)
    store = Store(engine, google.clock.datetime)
    now = google.clock.datetime()
    for key in keys:
        store.watches.add_watch(
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
        seeded = store.syncs.claim_sheet(key, "seed", timedelta(0))  # free again at once
        assert seeded is not None
        store.syncs.record_sync(seeded, google.modified_time(key), last)
    engine.dispose()


def report(runs: list[Run], args: argparse.Namespace) -> None:
    print(
        f"{args.sheets:,} watched sheets, {args.hours} virtual hours, 15-min intervals, "
        f"{args.edits:.0%} edited per interval, {args.replicas} replica(s) on one "
        f"{'PostgreSQL' if args.database == 'postgres' else 'SQLite'} store sharing "
        f"{QUOTA} reads + {QUOTA} writes a minute"
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
    for r in runs:
        print(
            f"{r.name}: sheets synced per replica {r.synced}; "
            f"virtual hours until the last pass ended {r.hours:.1f}; "
            f"failed syncs {len(r.failures)}"
        )
        for failure in sorted(set(r.failures))[:3]:
            print(f"  e.g. {failure[:200]}")
    smart, base = runs
    if not smart.lags and not smart.unsynced:  # --edits too small for --sheets: no edit made
        print("goal (0 x 429, every edit synced within 15 min): not judged, no sheet was edited")
        return
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
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()
    if not 1 <= args.replicas <= MAX_REPLICAS:
        parser.exit(2, f"bench_quota: --replicas must be 1 to {MAX_REPLICAS}\n")
    if args.database == "postgres":
        try:
            find_bin("initdb")
        except RuntimeError as error:
            parser.exit(2, f"bench_quota: {error} Or use --database sqlite.\n")
    pem, public = throwaway_key_pair()
    runs = [
        run("change detection (Drive) + quota", True, args, pem, public),
        run("baseline: every sheet every pass", False, args, pem, public),
    ]
    report(runs, args)


if __name__ == "__main__":
    run_main(main)
