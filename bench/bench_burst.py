"""The Monday burst: every watched sheet's summary due at 09:00 in one zone, in virtual time.

Run: .venv/bin/python bench/bench_burst.py [--sheets 10000 --channels 200 --replicas 3]
Real gspread + google-auth against the fake Google (60 reads + 60 writes a minute per user,
429 beyond), real slack_sdk against the fake Slack enforcing Slack's published limits
(chat.postMessage 1 a second per channel with a short burst; files.* Tier 4, history and
replies Tier 3; 429 + Retry-After beyond), both on one virtual clock (bench/simtime.py).
Each replica runs its sync loop and its summary scheduler as ctr-bot does, on one store.

Start state: Monday 08:00, every sheet synced within the past day with its weekly totals kept
(as a sync leaves them), watches spread evenly over ``--channels``; people edit 2 % of the
sheets per 15 minutes (as in bench_quota.py) until the burst is over. Printed: Sheets reads
made by summaries of sheets unchanged since their last sync (goal 0) and of edited ones,
the last summary posted against the floor Slack's limits allow (goal <= 1.2x), Google
429s (goal 0), Slack 429s, and the sync's freshness during the burst (goal 15 min).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_sdk import WebClient

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
from bot.store.records import NewWatch, Watch
from bot.store.repository import Store
from bot.weekly.access import GoogleSheetAccess
from bot.weekly.pacing import PER_CHANNEL, PER_WORKSPACE, UPLOAD, RetryAfter, SlackPacer
from bot.weekly.posts import Rendered
from bot.weekly.scheduler import SummaryScheduler
from bot.weekly.source import SheetReportSource
from bot.weekly.totals import totals_of
from bot.weekly.watched_sync import CHANGE_POLL, WatchedSheetsSync
from bot.workspaces import OneWorkspace
from core.schedule import Weekday
from sheets.changes import DriveChanges
from sheets.headers import find_layout
from sheets.settings import SheetsSettings
from tests.fakes.google_api import (
    FakeGoogle,
    running_fake_google,
    throwaway_key_pair,
    write_service_account_key,
)
from tests.fakes.google_quota import START as FAKE_START
from tests.fakes.slack_api import FakeSlack, running_fake_slack
from tests.fakes.slack_limits import SlackLimits

# The fake's clock starts Monday 16 Nov 2026 00:00 UTC; the burst is Monday 23rd, 09:00.
BURST = FAKE_START + 7 * 86_400 + 9 * 3600
START = BURST - 3600  # an hour of routine syncs and edits before it


@dataclass
class Counted:
    """A summary source counting the Sheets reads each summary makes, by whether the sheet
    was edited since its last sync (people's edits the sync had not yet picked up)."""

    source: SheetReportSource
    google: FakeGoogle
    edits: Edits
    unchanged_reads: int = 0
    edited_reads: int = 0
    unchanged: int = 0
    edited: int = 0

    def __call__(self, watch: Watch, week: date, late_by: str | None) -> Rendered:
        key, mark = watch.sheet_key, len(self.google.log)
        edited = key in self.edits.pending
        try:
            return self.source(watch, week, late_by)
        finally:
            reads = sum(
                1
                for method, path, _ in self.google.log[mark:]
                if method == "GET" and path.startswith(f"/v4/spreadsheets/{key}")
            )
            if edited:
                self.edited, self.edited_reads = self.edited + 1, self.edited_reads + reads
            else:
                self.unchanged, self.unchanged_reads = (
                    self.unchanged + 1,
                    self.unchanged_reads + reads,
                )


@dataclass
class Burst:
    run: Run
    counted: list[Counted] = field(default_factory=list)
    last_posted: float = 0.0
    floor: float = 0.0
    slack_429: int = 0
    burst_lags: list[float] = field(default_factory=list)
    delivered: int = 0


def floor_seconds(per_channel: list[int]) -> float:
    """The earliest the last summary can be done under Slack's published limits, from 09:00:
    each channel's posts one a second, every upload method's calls 100 a minute; a summary
    is its post and its chart's upload (two Tier 4 calls)."""
    posts = max(per_channel) - 1  # the first post goes at once
    uploads = (sum(per_channel) - 1) * 60 / min(PER_WORKSPACE[m] for m in UPLOAD)
    assert PER_CHANNEL["chat.postMessage"] == 60
    return max(posts, uploads)


def run(args: argparse.Namespace, key_pem: bytes, public: bytes) -> Burst:
    rng = random.Random(args.seed)
    result = Burst(Run("burst"))
    started = time.perf_counter()
    with ExitStack() as stack:
        google = stack.enter_context(running_fake_google(public, EMAIL))
        slack: FakeSlack = stack.enter_context(running_fake_slack())
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url = stack.enter_context(database(args.database, tmp, "bench_burst"))
        clock = google.clock
        clock.advance(START - clock())
        slack.limits, slack.clock = SlackLimits(clock), clock
        keys = [f"burst{index:05d}" for index in range(args.sheets)]
        for key in keys:
            google.spreadsheets[key] = [synced_sheet(10)]
        per_channel = seed_store(url, google, keys, rng, args.channels)
        result.floor = floor_seconds(per_channel)
        vt = VirtualTime(clock)
        end = BURST + args.hours * 3600
        edits = Edits(google, keys, rng, args.edits, result.run, vt=vt)
        edits.plan_until(end)
        key_file = write_service_account_key(
            tmp / "key.json", key_pem.decode(), EMAIL, google.base_url
        )
        world = World(args, google, slack, url, key_file, vt, edits, keys, end, result)
        with counting_failures(result.run.failures):
            vt.run([part for index in range(args.replicas) for part in replica(world, index)])
        edits.check()
        result.delivered = delivered(slack)
        result.last_posted = max(
            (float(m["ts"]) for messages in slack.messages.values() for m in messages),
            default=float("nan"),
        )
        result.slack_429 = len(slack.limits.refused)
        result.run.refused = google.quota.refusals()
        result.run.unsynced = sum(
            1 for first, _ in edits.pending.values() if clock() - first > INTERVAL
        )
        result.burst_lags = list(result.run.lags)
    result.run.wall = time.perf_counter() - started
    return result


@dataclass
class World:
    """What every replica of one run shares."""

    args: argparse.Namespace
    google: FakeGoogle
    slack: FakeSlack
    url: str
    key_file: Path
    vt: VirtualTime
    edits: Edits
    keys: list[str]
    end: float
    result: Burst
    done: list[bool] = field(default_factory=lambda: [False])


def replica(world: World, index: int) -> list[Callable[[], None]]:
    """One ctr-bot replica: its sync loop and its summary scheduler, as two participants."""
    google, slack, url, key_file = (
        world.google,
        world.slack,
        world.url,
        world.key_file,
    )
    vt, edits, keys, end, result, done = (
        world.vt,
        world.edits,
        world.keys,
        world.end,
        world.result,
        world.done,
    )
    clock = google.clock
    # As ctr-bot builds its parts (bot/compose.py): Google's and Slack's buckets in the store,
    # shared by the replicas; each replica's jitter seeded for a repeatable run.
    store = Store(connect(url), clock.datetime, jitter=random.Random(index).random)
    settings = SheetsSettings(key_file, google.base_url.rstrip("/"), quota_per_minute=QUOTA)
    client, _ = google_client(settings, store, clock=clock, sleep=vt.sleep)
    client.quota.wait_in_line = vt.wait_in_line  # lines in virtual time too
    access = GoogleSheetAccess(client, EMAIL)
    loop = WatchedSheetsSync(
        store.syncs,
        store.watches,
        store.history,
        access,
        clock.datetime,
        changes=DriveChanges(client),
        interval=INTERVAL_DELTA,
        owner=f"replica-{index}",
        totals=store.weekly_totals,
    )
    source = SheetReportSource(
        lambda watch: access.open(watch.sheet_url),
        store.history,
        clock.datetime,
        last_reads=loop.last_reads,
        changes=DriveChanges(client),
        totals=loop.totals,
        sync_first=loop.sync_for_summary,
        me=EMAIL,
    )
    counted = Counted(source, google, edits)
    result.counted.append(counted)
    slack_client = WebClient(
        token=slack.token,
        base_url=slack.api_url,
        retry_handlers=[RetryAfter(max_retry_count=5, sleep=vt.sleep)],
    )
    scheduler = SummaryScheduler(
        watches=store.watches,
        deliveries=store.deliveries,
        workspaces=OneWorkspace(slack_client),
        source=counted,
        owner=f"replica-{index}",
        clock=clock.datetime,
        pace=SlackPacer(store.quota, clock, vt.sleep),
    )

    def syncs() -> None:
        vt.sleep(index * 60.0)  # replicas started a minute apart
        while clock() < end and not done[0]:
            pass_start = clock()
            loop.run_once()
            edits.check()
            vt.sleep(max(0.0, pass_start + CHANGE_POLL - clock()))

    def summaries() -> None:
        while clock() < end and not done[0]:
            scheduler.run_due()
            if delivered(slack) >= len(keys):
                done[0] = True
                return
            vt.sleep(60.0)

    return [syncs, summaries]


INTERVAL_DELTA = timedelta(seconds=INTERVAL)


def delivered(slack: FakeSlack) -> int:
    """Summaries with their chart in the thread."""
    return len({(f["channel"], f["thread_ts"]) for f in slack.files if f.get("thread_ts")})


def seed_store(
    url: str, google: FakeGoogle, keys: list[str], rng: random.Random, channels: int
) -> list[int]:
    """Watches set up a week ago, spread over ``channels``; each sheet synced within the past
    day, its weekly totals kept as that sync kept them. Returns the watches per channel."""
    engine = connect(url)
    migrate(engine)
    # Set up after last Monday's 09:00: this Monday's summary is the first each owes.
    week_ago = datetime.fromtimestamp(BURST - 7 * 86_400 + 3600, UTC)
    store = Store(engine, lambda: week_ago)
    totals = store.weekly_totals
    now = google.clock.datetime()
    per_channel = [0] * channels
    for index, key in enumerate(keys):
        channel = index % channels
        per_channel[channel] += 1
        store.watches.add_watch(
            NewWatch(
                "T1",
                f"C{channel:04d}",
                key,
                f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0",
                Weekday.MONDAY,
                clock_time(9),
                "UTC",
                "U1",
                sheet_name=key,
            )
        )
        last = now - timedelta(seconds=rng.uniform(0, 20 * 3600))
        grid: list[list[Any]] = [
            [cell.value for cell in row] for row in google.spreadsheets[key][0].rows
        ]
        kept = totals_of(grid, find_layout(grid), last.date(), title=key)
        totals.put(key, 0, google.modified_time(key), kept, last)
        seeded = store.syncs.claim_sheet(key, "seed", timedelta(0))  # free again at once
        assert seeded is not None
        store.syncs.record_sync(seeded, google.modified_time(key), last)
    engine.dispose()
    return per_channel


def report(result: Burst, args: argparse.Namespace) -> None:
    unchanged = sum(c.unchanged for c in result.counted)
    unchanged_reads = sum(c.unchanged_reads for c in result.counted)
    edited = sum(c.edited for c in result.counted)
    edited_reads = sum(c.edited_reads for c in result.counted)
    took = result.last_posted - BURST
    lags = result.burst_lags
    worst = max(lags, default=float("nan")) / 60
    print(
        f"{args.sheets:,} watched sheets due Monday 09:00 UTC in {args.channels} channels, "
        f"{args.replicas} replica(s) on one {args.database} store, {args.edits:.0%} edited per "
        "15 min"
    )
    print(f"summaries delivered (post + chart): {result.delivered:,} of {args.sheets:,}")
    print(
        f"Sheets reads at summary time: {unchanged_reads} for {unchanged:,} unchanged sheets "
        f"(goal 0); {edited_reads} for {edited} edited ones (synced first: the sync's reads)"
    )
    print(
        f"last summary done {took / 60:.1f} min after 09:00; floor under Slack's published "
        f"limits {result.floor / 60:.1f} min; ratio {took / result.floor:.2f} (goal <= 1.2)"
    )
    print(f"Google 429s: {result.run.refused} (goal 0); Slack 429s: {result.slack_429}")
    print(
        f"sync freshness during the run: {len(lags)} edits synced, worst lag {worst:.1f} min, "
        f"{result.run.unsynced} unsynced for over 15 min (goal: all within 15 min)"
    )
    print(f"failed syncs {len(result.run.failures)}; wall {result.run.wall:.0f} s")
    met = (
        unchanged_reads == 0
        and took <= 1.2 * result.floor
        and result.run.refused == 0
        and (not lags or max(lags) <= INTERVAL)
        and not result.run.unsynced
        and result.delivered == args.sheets
    )
    print(f"goals: {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--hours", type=float, default=4.0, help="give up this long after 09:00")
    parser.add_argument("--edits", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()
    if not 1 <= args.replicas <= MAX_REPLICAS:
        parser.exit(2, f"bench_burst: --replicas must be 1 to {MAX_REPLICAS}\n")
    if not 1 <= args.channels <= args.sheets:
        parser.exit(2, "bench_burst: --channels must be 1 to --sheets\n")
    pem, public = throwaway_key_pair()
    report(run(args, pem, public), args)


if __name__ == "__main__":
    run_main(main)
