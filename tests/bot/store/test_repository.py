"""The state store on SQLite and on a real PostgreSQL server: migrations, watches, claims."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from bot.store.engine import migrate
from bot.store.repository import NewWatch, Store, SyncState
from bot.store.schema import metadata
from core.ctr import Counts
from core.schedule import Weekday
from core.weekly import Snapshot
from tests.bot.store.conftest import FakeClock

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
    first = store.add_watch(new_watch())
    store.pause_watch(first.id, "not_in_channel")
    assert store.watches()[0].paused_reason == "not_in_channel"
    again = store.add_watch(new_watch())  # watching again re-schedules and un-pauses
    assert [w.paused_reason for w in store.watches("C1")] == [None]
    assert again.at == time(9, 0)
    assert again.weekday is Weekday.MONDAY
    store.add_watch(new_watch(channel="C2"))
    assert [w.channel_id for w in store.watches()] == ["C1", "C2"]
    assert store.remove_watch("C1", "sheet-1")
    assert not store.remove_watch("C1", "sheet-1")
    assert [w.channel_id for w in store.watches()] == ["C2"]


def test_snapshots_keep_the_latest_totals_per_week(store: Store) -> None:
    store.record_snapshots("s", WEEK, [("Search", Counts(1, 10)), ("Video", Counts(2, 20))])
    store.record_snapshots("s", WEEK, [("Search", Counts(5, 50))])
    store.record_snapshots("s", WEEK + timedelta(days=7), [("Search", Counts(9, 10**12))])
    got = sorted(store.snapshots("s"), key=lambda s: (s.week, s.campaign))
    assert got == [
        Snapshot(WEEK, "Search", Counts(5, 50)),
        Snapshot(WEEK, "Video", Counts(2, 20)),
        Snapshot(WEEK + timedelta(days=7), "Search", Counts(9, 10**12)),
    ]


def test_one_claim_wins_until_its_lease_runs_out(store: Store, clock: FakeClock) -> None:
    lease = timedelta(minutes=2)
    assert store.claim_delivery("C1", "s", WEEK, "replica-a", lease)
    assert not store.claim_delivery("C1", "s", WEEK, "replica-b", lease)
    assert store.claim_delivery("C1", "s", WEEK + timedelta(days=7), "replica-b", lease)
    clock.now += lease + timedelta(seconds=1)  # replica-a died mid-post
    assert store.claim_delivery("C1", "s", WEEK, "replica-b", lease)
    assert store.delivery_attempts("C1", "s", WEEK) == 2
    assert not store.mark_posted("C1", "s", WEEK, "replica-a", "1.1")  # a zombie can't mark
    assert store.mark_posted("C1", "s", WEEK, "replica-b", "2.2")
    clock.now += timedelta(days=1)  # replica-b died before its chart: c finishes the job
    claim = store.claim_delivery("C1", "s", WEEK, "replica-c", lease)
    assert claim is not None
    assert (claim.attempts, claim.message_ts) == (3, "2.2")
    assert not store.mark_charted("C1", "s", WEEK, "replica-b")
    assert store.mark_charted("C1", "s", WEEK, "replica-c")
    assert store.delivery_done("C1", "s", WEEK)
    clock.now += timedelta(days=1)
    assert not store.claim_delivery("C1", "s", WEEK, "replica-d", lease)  # done is final
    assert store.posted_message("C1", "s", WEEK) == "2.2"


def test_the_fence_renews_only_the_owners_claim(store: Store, clock: FakeClock) -> None:
    lease = timedelta(minutes=2)
    assert store.claim_delivery("C1", "s", WEEK, "a", lease)
    clock.now += lease * 2  # a stalled, nobody took over: the claim is still a's
    assert store.renew_delivery("C1", "s", WEEK, "a", lease)
    assert not store.claim_delivery("C1", "s", WEEK, "b", lease)  # renewed: not expired
    clock.now += lease * 2
    assert store.claim_delivery("C1", "s", WEEK, "b", lease)
    assert not store.renew_delivery("C1", "s", WEEK, "a", lease)  # a is fenced off
    assert not store.mark_posted("C1", "s", WEEK, "a", "1.1")
    assert store.renew_delivery("C1", "s", WEEK, "b", lease)


def test_released_claims_can_be_retried(store: Store) -> None:
    lease = timedelta(minutes=2)
    assert store.claim_delivery("C1", "s", WEEK, "a", lease)
    store.release_delivery("C1", "s", WEEK, "a")
    claim = store.claim_delivery("C1", "s", WEEK, "b", lease)
    assert claim is not None
    assert claim.attempts == 2  # the failure may have come after Slack stored it: look first
    assert store.posted_message("C1", "s", WEEK) is None


def test_sheet_sync_state_keeps_the_version_when_a_daily_sync_does_not_know_it(
    store: Store, clock: FakeClock
) -> None:
    first = datetime(2026, 11, 16, 9, tzinfo=UTC)
    later = datetime(2026, 11, 17, 9, tzinfo=UTC)
    store.record_sync("k", "v1", first)
    store.record_listing("acct", clock.now, adopt={"k": "v2", "new": "v9"}, report={})
    assert store.sync_states()["k"] == SyncState("v2", first)
    store.record_sync("k", None, later)
    assert store.sync_states()["k"] == SyncState("v2", later)
    assert store.sync_states()["new"] == SyncState("v9", None)


def test_a_reported_change_stays_due_until_a_sync_starts_from_it(
    store: Store, clock: FakeClock
) -> None:
    store.record_sync("k", "v1", clock.now)
    store.record_listing("acct", clock.now, adopt={}, report={"k": "v2", "new": "v5"})
    states = store.sync_states()
    assert states["k"] == SyncState("v1", clock.now, reported="v2")
    assert states["k"].due
    assert states["new"].due
    store.record_sync("k", "v2", clock.now)
    assert not store.sync_states()["k"].due
    store.record_listing("acct", clock.now, adopt={"k": "v3"}, report={})  # then our write
    assert store.sync_states()["k"] == SyncState("v3", clock.now)


def test_one_replica_lists_drive_per_turn_and_the_next_starts_where_it_ended(
    store: Store, clock: FakeClock
) -> None:
    turn = timedelta(minutes=3)
    poll = store.claim_change_poll("acct", "r1", clock.now + turn)
    assert poll is not None
    assert poll.listed_at is None  # never listed: the caller starts a day back
    assert store.claim_change_poll("acct", "r2", clock.now + turn) is None
    assert store.claim_change_poll("acct", "r1", clock.now + turn) is None  # its own turn too
    assert store.claim_change_poll("other@acct", "r2", clock.now + turn) is not None
    store.record_listing("acct", clock.now, adopt={}, report={})
    listed = clock.now
    clock.now += turn
    poll = store.claim_change_poll("acct", "r2", clock.now + turn)
    assert poll is not None
    assert poll.listed_at == listed
    store.record_listing("acct", listed - turn, adopt={}, report={})  # a slow, older listing
    clock.now += turn
    again = store.claim_change_poll("acct", "r1", clock.now + turn)
    assert again is not None
    assert again.listed_at == listed  # never moves back: nothing Drive said is skipped


def test_a_sheet_claim_goes_to_one_replica_until_it_runs_out(
    store: Store, clock: FakeClock
) -> None:
    until = clock.now + timedelta(minutes=15)
    assert store.claim_sheet("sheet-1", "r1", until)  # first sight: the row is created
    assert not store.claim_sheet("sheet-1", "r2", until)
    assert store.claim_sheet("sheet-1", "r1", until + timedelta(minutes=1))  # its own: renewed
    store.record_sync("sheet-1", "v1", clock.now)  # a sync record keeps the claim
    assert not store.claim_sheet("sheet-1", "r2", until)
    clock.now = until + timedelta(minutes=2)
    assert store.claim_sheet("sheet-1", "r2", clock.now + timedelta(minutes=15))
    assert not store.claim_sheet("sheet-1", "r1", clock.now)
    assert store.sync_states()["sheet-1"].version == "v1"
