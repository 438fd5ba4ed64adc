"""The state store on SQLite and on a real PostgreSQL server: migrations, watches, claims."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from bot.store.engine import MIGRATIONS, migrate
from bot.store.lease import LeaseLost
from bot.store.records import NewWatch, SyncState
from bot.store.repository import Store
from bot.store.schema import metadata
from core.ctr import Counts
from core.schedule import Weekday
from core.weekly import Snapshot
from tests.bot.store.conftest import FakeClock, listed, synced

WEEK = date(2026, 11, 16)


def new_watch(channel: str = "C1", sheet: str = "sheet-1") -> NewWatch:
    return NewWatch(
        team_id="T1",
        channel_id=channel,
        sheet_key=sheet,
        sheet_url=f"https://x/{sheet}",
        weekday=Weekday.MONDAY,
        at=time(9, 0),
        timezone="Europe/Paris",
        created_by="U1",
    )


def test_migrations_create_the_schema_and_are_idempotent(engine: Engine) -> None:
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"watches", "snapshots", "deliveries", "alembic_version"} <= tables


def test_the_migrations_build_exactly_the_schema_the_code_uses(engine: Engine) -> None:
    """A hand-written migration that forgets a column (or types it differently) fails here."""
    with engine.connect() as db:
        differences = compare_metadata(MigrationContext.configure(db), metadata)
    assert differences == []


def test_watch_round_trip_replace_pause_remove(store: Store) -> None:
    first = store.watches.add_watch(new_watch())
    store.watches.pause_watch(first.id, "not_in_channel")
    assert store.watches.all()[0].paused_reason == "not_in_channel"
    again = store.watches.add_watch(new_watch())  # watching again re-schedules and un-pauses
    assert [w.paused_reason for w in store.watches.all("C1")] == [None]
    assert again.at == time(9, 0)
    assert again.weekday is Weekday.MONDAY
    store.watches.add_watch(new_watch(channel="C2"))
    assert [w.channel_id for w in store.watches.all()] == ["C1", "C2"]
    assert again.id == first.id
    assert not store.watches.remove_watch("C2", first.id)  # another channel's watch: not from here
    assert store.watches.remove_watch("C1", first.id)
    assert not store.watches.remove_watch("C1", first.id)
    assert [w.channel_id for w in store.watches.all()] == ["C2"]


def test_watching_again_keeps_when_the_schedule_started(store: Store, clock: FakeClock) -> None:
    """Issue #17.1: re-running /ctr watch reset the creation time, so a due summary not yet
    sent was skipped for that week."""
    first = store.watches.add_watch(new_watch())
    clock.now += timedelta(days=7, seconds=4)  # just after the next Monday 09:00 in Paris
    again = store.watches.add_watch(new_watch())
    assert (again.created_at, again.schedule_since) == (first.created_at, first.created_at)
    moved = store.watches.add_watch(replace(new_watch(), weekday=Weekday.FRIDAY))
    assert moved.schedule_since == clock.now
    assert moved.carried is not None  # Monday's summary, still owed, moves with the change
    assert moved.carried.reported_week == date(2026, 11, 23)


def test_tabs_are_separate_watches_with_separate_history(store: Store) -> None:
    """Issue #17.4: a second tab replaced the first, and their running totals mixed."""
    one = store.watches.add_watch(new_watch())
    two = store.watches.add_watch(replace(new_watch(), tab=7, sheet_url="https://x/sheet-1#gid=7"))
    assert one.id != two.id
    assert [w.tab for w in store.watches.all("C1")] == [0, 7]
    store.history.record_snapshots("sheet-1", WEEK, [("Search", Counts(1, 10))])
    store.history.record_snapshots("sheet-1", WEEK, [("Search", Counts(5, 50))], tab=7)
    assert [s.cumulative for s in store.history.snapshots("sheet-1")] == [Counts(1, 10)]
    assert [s.cumulative for s in store.history.snapshots("sheet-1", tab=7)] == [Counts(5, 50)]
    assert (
        store.deliveries.claim_delivery("C1", "sheet-1", WEEK, "r1", timedelta(minutes=5))
        is not None
    )
    claim = store.deliveries.claim_delivery(
        "C1", "sheet-1", WEEK, "r1", timedelta(minutes=5), tab=7
    )
    assert claim is not None  # the other tab's summary is another delivery


def test_snapshots_keep_the_latest_totals_per_week(store: Store) -> None:
    store.history.record_snapshots("s", WEEK, [("Search", Counts(1, 10)), ("Video", Counts(2, 20))])
    store.history.record_snapshots("s", WEEK, [("Search", Counts(5, 50))])
    store.history.record_snapshots("s", WEEK + timedelta(days=7), [("Search", Counts(9, 10**12))])
    got = sorted(store.history.snapshots("s"), key=lambda s: (s.week, s.campaign))
    assert got == [
        Snapshot(WEEK, "Search", Counts(5, 50)),
        Snapshot(WEEK, "Video", Counts(2, 20)),
        Snapshot(WEEK + timedelta(days=7), "Search", Counts(9, 10**12)),
    ]


def test_one_claim_wins_until_its_lease_runs_out(store: Store, clock: FakeClock) -> None:
    lease = timedelta(minutes=2)
    first = store.deliveries.claim_delivery("C1", "s", WEEK, "replica-a", lease)
    assert first is not None
    assert not store.deliveries.claim_delivery("C1", "s", WEEK, "replica-b", lease)
    assert store.deliveries.claim_delivery("C1", "s", WEEK + timedelta(days=7), "replica-b", lease)
    clock.now += lease + timedelta(seconds=1)  # replica-a died mid-post
    second = store.deliveries.claim_delivery("C1", "s", WEEK, "replica-b", lease)
    assert second is not None
    assert store.deliveries.delivery_attempts("C1", "s", WEEK) == 2
    with pytest.raises(LeaseLost):  # a zombie can't mark
        store.deliveries.mark_posted(first.lease, "1.1")
    store.deliveries.mark_posted(second.lease, "2.2")
    clock.now += timedelta(days=1)  # replica-b died before its chart: c finishes the job
    claim = store.deliveries.claim_delivery("C1", "s", WEEK, "replica-c", lease)
    assert claim is not None
    assert (claim.attempts, claim.message_ts) == (3, "2.2")
    with pytest.raises(LeaseLost):
        store.deliveries.mark_charted(second.lease)
    store.deliveries.mark_charted(claim.lease)
    assert store.deliveries.delivery_done("C1", "s", WEEK)
    clock.now += timedelta(days=1)
    assert not store.deliveries.claim_delivery("C1", "s", WEEK, "replica-d", lease)  # done is final
    assert store.deliveries.posted_message("C1", "s", WEEK) == "2.2"


def test_the_fence_renews_only_the_owners_claim(store: Store, clock: FakeClock) -> None:
    lease = timedelta(minutes=2)
    a = store.deliveries.claim_delivery("C1", "s", WEEK, "a", lease)
    assert a is not None
    clock.now += lease * 2  # a stalled, nobody took over: the claim is still a's
    store.deliveries.renew_delivery(a.lease, lease)
    assert not store.deliveries.claim_delivery("C1", "s", WEEK, "b", lease)  # renewed: not expired
    clock.now += lease * 2
    b = store.deliveries.claim_delivery("C1", "s", WEEK, "b", lease)
    assert b is not None
    with pytest.raises(LeaseLost):  # a is fenced off
        store.deliveries.renew_delivery(a.lease, lease)
    with pytest.raises(LeaseLost):
        store.deliveries.mark_posted(a.lease, "1.1")
    store.deliveries.renew_delivery(b.lease, lease)


def test_released_claims_can_be_retried(store: Store) -> None:
    lease = timedelta(minutes=2)
    a = store.deliveries.claim_delivery("C1", "s", WEEK, "a", lease)
    assert a is not None
    store.deliveries.release_delivery(a.lease)
    claim = store.deliveries.claim_delivery("C1", "s", WEEK, "b", lease)
    assert claim is not None
    assert claim.attempts == 2  # the failure may have come after Slack stored it: look first
    assert store.deliveries.posted_message("C1", "s", WEEK) is None


def test_sheet_sync_state_keeps_the_version_when_a_daily_sync_does_not_know_it(
    store: Store, clock: FakeClock
) -> None:
    first = datetime(2026, 11, 16, 9, tzinfo=UTC)
    later = datetime(2026, 11, 17, 9, tzinfo=UTC)
    synced(store, "k", "v1", first)
    listed(store, clock.now, adopt={"k": "v2", "new": "v9"}, report={})
    assert store.syncs.sync_states()["k"] == SyncState("v2", first)
    synced(store, "k", None, later)
    assert store.syncs.sync_states()["k"] == SyncState("v2", later)
    assert store.syncs.sync_states()["new"] == SyncState("v9", None)


def test_a_reported_change_stays_due_until_a_sync_starts_from_it(
    store: Store, clock: FakeClock
) -> None:
    synced(store, "k", "v1", clock.now)
    listed(store, clock.now, adopt={}, report={"k": "v2", "new": "v5"})
    states = store.syncs.sync_states()
    assert states["k"] == SyncState("v1", clock.now, reported="v2")
    assert states["k"].due
    assert states["new"].due
    synced(store, "k", "v2", clock.now)
    assert not store.syncs.sync_states()["k"].due
    listed(store, clock.now, adopt={"k": "v3"}, report={})  # then our write
    assert store.syncs.sync_states()["k"] == SyncState("v3", clock.now)


def test_one_replica_lists_drive_per_turn_and_the_next_starts_where_it_ended(
    store: Store, clock: FakeClock
) -> None:
    turn = timedelta(minutes=3)
    poll = store.syncs.claim_change_poll("acct", "r1", turn)
    assert poll is not None
    assert poll.listed_at is None  # never listed: the caller starts a day back
    assert store.syncs.claim_change_poll("acct", "r2", turn) is None
    assert store.syncs.claim_change_poll("acct", "r1", turn) is None  # its own turn too
    assert store.syncs.claim_change_poll("other@acct", "r2", turn) is not None
    store.syncs.record_listing(poll, clock.now, adopt={}, report={})
    listed_at = clock.now
    clock.now += turn
    poll = store.syncs.claim_change_poll("acct", "r2", turn)
    assert poll is not None
    assert poll.listed_at == listed_at
    store.syncs.record_listing(poll, listed_at - turn, adopt={}, report={})  # skewed clock
    clock.now += turn
    again = store.syncs.claim_change_poll("acct", "r1", turn)
    assert again is not None
    assert again.listed_at == listed_at  # never moves back: nothing Drive said is skipped


def test_a_sheet_claim_goes_to_one_replica_until_it_runs_out(
    store: Store, clock: FakeClock
) -> None:
    interval = timedelta(minutes=15)
    r1 = store.syncs.claim_sheet("sheet-1", "r1", interval)  # first sight: the row is created
    assert r1 is not None
    assert not store.syncs.claim_sheet("sheet-1", "r2", interval)
    assert not store.syncs.claim_sheet("sheet-1", "r1", interval)  # held: renew, not take
    r1 = store.syncs.renew_sheet(r1, interval + timedelta(minutes=1))
    store.syncs.record_sync(r1, "v1", clock.now)  # a sync record keeps the claim
    assert not store.syncs.claim_sheet("sheet-1", "r2", interval)
    clock.now = r1.until
    r2 = store.syncs.claim_sheet("sheet-1", "r2", interval)
    assert r2 is not None
    assert not store.syncs.claim_sheet("sheet-1", "r1", interval)
    with pytest.raises(LeaseLost):
        store.syncs.renew_sheet(r1, interval)
    assert store.syncs.sync_states()["sheet-1"].version == "v1"


def test_existing_rows_move_to_their_tab(engine: Engine) -> None:
    """Migration 0006 on a store holding rows from before tabs were part of the key."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as db:
        config.attributes["connection"] = db
        command.downgrade(config, "0005")
    created = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with engine.begin() as db:
        for channel, url in (("C1", "https://d/s1/edit#gid=42"), ("C2", "https://d/s1/edit")):
            db.execute(
                text(
                    "INSERT INTO watches (team_id, channel_id, sheet_key, sheet_url, weekday, "
                    "at_time, timezone, created_by, created_at) VALUES ('T1', :channel, 's1', "
                    ":url, 0, '09:00', 'UTC', 'U1', :created)"
                ),
                {"channel": channel, "url": url, "created": created.replace(tzinfo=None)},
            )
        db.execute(
            text(
                "INSERT INTO snapshots (sheet_key, campaign, week, clicks, impressions, "
                "recorded_at) VALUES ('s1', 'Search', :week, 1, 10, :at)"
            ),
            {"week": WEEK, "at": created.replace(tzinfo=None)},
        )
        db.execute(
            text(
                "INSERT INTO deliveries (channel_id, sheet_key, week, owner, lease_until, "
                "attempts, posted, charted) VALUES ('C2', 's1', :week, 'r', :at, 1, true, true)"
            ),
            {"week": WEEK, "at": created.replace(tzinfo=None)},
        )
    migrate(engine)
    store = Store(engine)
    assert [(w.channel_id, w.tab, w.schedule_since) for w in store.watches.all()] == [
        ("C1", 42, created),
        ("C2", 0, created),
    ]
    assert [s.cumulative for s in store.history.snapshots("s1", tab=42)] == [Counts(1, 10)]
    # 0008: the delivery takes its watch's workspace, so it still counts as sent
    assert store.deliveries.delivered_weeks("C2", "s1", team_id="T1") == {WEEK}
