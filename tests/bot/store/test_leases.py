"""The lease primitive (bot/store/lease.py) and everything claimed under it, on SQLite and on
a real PostgreSQL server: one rule for expiry, one holder at a time, and every write made
under a lease refused once the lease has moved on.

The examples marked "#19" failed before the primitive (on the repository of the split
commit): a listing that outlived its turn overwrote a newer one's findings, a sheet claimed
late in a pass was held only until the pass's end, and a delivery claim and a change poll
disagreed about the instant a lease runs out.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, event, select

from bot.store.engine import connect
from bot.store.lease import Lease, LeaseLost, expired
from bot.store.repository import Store
from bot.store.schema import sheet_syncs
from bot.store.syncs import SHEETS
from tests.bot.store.conftest import FakeClock
from tests.bot.store.test_repository import new_watch

WEEK = date(2026, 11, 16)
TURN = timedelta(seconds=180)


def test_a_listing_that_outlived_its_turn_changes_nothing(store: Store, clock: FakeClock) -> None:
    """#19: A's listing ran past its 180 s; B took the turn and reported someone's edit v2.
    A's late record (adopting its own older write v1) must not hide v2 until the daily sync."""
    before = store.syncs.claim_sheet("k", "syncer", timedelta(0))
    assert before is not None
    store.syncs.record_sync(before, "v0", clock.now)
    a = store.syncs.claim_change_poll("acct", "A", TURN)
    assert a is not None
    a_asked = clock.now
    clock.now += TURN + timedelta(seconds=20)
    b = store.syncs.claim_change_poll("acct", "B", TURN)
    assert b is not None
    store.syncs.record_listing(b, clock.now, adopt={}, report={"k": "v2"})
    with pytest.raises(LeaseLost, match="A no longer holds change_polls acct"):
        store.syncs.record_listing(a, a_asked, adopt={"k": "v1"}, report={"new": "v7"})
    with pytest.raises(LeaseLost):
        store.syncs.record_listing_failure(a, "Drive said no")
    states = store.syncs.sync_states()
    assert (states["k"].version, states["k"].reported) == ("v0", "v2")
    assert "new" not in states  # nothing of A's listing was written
    assert store.syncs.feed_failures() == []


def test_a_sheet_claimed_late_in_a_pass_is_held_a_full_interval(
    store: Store, clock: FakeClock
) -> None:
    """#19: the claim ran to "pass start + interval", so a sheet taken up 14 minutes into a
    15-minute pass was free to a second replica a minute into its sync."""
    interval = timedelta(minutes=15)
    clock.now += timedelta(minutes=14)  # late in the pass
    lease = store.syncs.claim_sheet("late", "A", interval)
    assert lease is not None
    assert lease.until == clock.now + interval
    clock.now += timedelta(minutes=1, seconds=1)  # past the pass's end: still A's
    assert store.syncs.claim_sheet("late", "B", interval) is None
    clock.now = lease.until
    assert store.syncs.claim_sheet("late", "B", interval) is not None


def test_every_lease_runs_out_at_the_same_instant(store: Store, clock: FakeClock) -> None:
    """#19: deliveries used ``<`` and change polls ``<=``: at the instant a lease runs out
    one was free and the other held. Now held while now < until, free at until, for all."""
    duration = timedelta(minutes=2)
    start = clock.now
    takes: dict[str, Callable[[str], object]] = {
        "delivery": lambda owner: store.deliveries.claim_delivery("C1", "s", WEEK, owner, duration),
        "sheet": lambda owner: store.syncs.claim_sheet("s", owner, duration),
        "poll": lambda owner: store.syncs.claim_change_poll("acct", owner, duration),
    }
    for name, take in takes.items():
        assert take("a") is not None, name
    clock.now = start + duration - timedelta(microseconds=1)
    assert [name for name, take in takes.items() if take("b") is not None] == []
    clock.now = start + duration
    assert [name for name, take in takes.items() if take("b") is not None] == list(takes)
    assert not expired(clock.now + timedelta(microseconds=1), clock.now)
    assert expired(clock.now, clock.now)


def test_a_renewal_keeps_the_lease_and_a_release_frees_it_at_once(
    store: Store, clock: FakeClock
) -> None:
    lease = store.syncs.claim_sheet("s", "a", TURN)
    assert lease is not None
    clock.now += TURN * 2  # ran out, nobody took it: renewing is still allowed
    renewed = store.syncs.renew_sheet(lease, TURN)
    assert (renewed.epoch, renewed.until) == (lease.epoch, clock.now + TURN)
    assert store.syncs.claim_sheet("s", "b", TURN) is None
    assert SHEETS_release(store, renewed, clock.now)
    taken = store.syncs.claim_sheet("s", "b", TURN)
    assert taken is not None
    assert taken.epoch == lease.epoch + 1
    assert not SHEETS_release(store, renewed, clock.now)  # a's lease is gone: nothing to free


def SHEETS_release(store: Store, lease: Lease, now: datetime) -> bool:
    with store.engine.begin() as db:
        return SHEETS.release(db, lease, now)


# The generator: any interleaving of takes, renewals, releases, fenced writes and time passing
# among several owners, against a model of the one rule.


OWNERS = ("r1", "r2", "r3")
_rows = itertools.count()


class LeaseMachine(RuleBasedStateMachine):
    """One leased row (a sheet_syncs row of its own), several owners, an injected clock."""

    leases = Bundle("leases")

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.key = (f"machine-{next(_rows)}",)
        self.now = datetime(2026, 11, 23, 8, tzinfo=UTC)
        self.holder: Lease | None = None  # the model: the lease the row names, if any
        self.until: datetime | None = None
        self.writes = 0  # fenced writes accepted

    @initialize()
    def start(self) -> None:
        self.holder = None

    @rule(seconds=st.integers(0, 400))
    def time_passes(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)

    @rule(target=leases, owner=st.sampled_from(OWNERS), seconds=st.integers(0, 300))
    def take(self, owner: str, seconds: int) -> Lease | None:
        with self.engine.begin() as db:
            taken = SHEETS.take(db, self.key, owner, self.now, timedelta(seconds=seconds))
        free = self.holder is None or expired(self.until, self.now)
        assert (taken is not None) == free
        if taken is None:
            return None
        lease = taken[0]
        if self.holder is not None:
            assert lease.epoch > self.holder.epoch  # every take supersedes what came before
        self.holder, self.until = lease, lease.until
        return lease

    @rule(lease=leases, seconds=st.integers(0, 300))
    def renew(self, lease: Lease | None, seconds: int) -> None:
        if lease is None:
            return
        try:
            with self.engine.begin() as db:
                renewed = SHEETS.renew(db, lease, self.now, timedelta(seconds=seconds))
        except LeaseLost:
            assert lease != self.holder
            return
        assert lease == self.holder  # renewing is the holder's only (even once it ran out)
        self.holder, self.until = lease, renewed.until

    @rule(lease=leases)
    def release(self, lease: Lease | None) -> None:
        if lease is None:
            return
        with self.engine.begin() as db:
            released = SHEETS.release(db, lease, self.now)
        assert released == (lease == self.holder)
        if released:
            self.until = self.now

    @rule(lease=leases)
    def fenced_write(self, lease: Lease | None) -> None:
        if lease is None:
            return
        try:
            with self.engine.begin() as db:
                SHEETS.write(db, lease, {"version": f"{lease.owner}-{lease.epoch}"})
        except LeaseLost:
            assert lease != self.holder  # only a superseded lease is refused
            return
        assert lease == self.holder  # ... and every superseded one is
        self.writes += 1

    @invariant()
    def the_row_names_exactly_the_model_holder(self) -> None:
        with self.engine.connect() as db:
            row = db.execute(select(sheet_syncs).where(SHEETS.row(self.key))).first()
        if self.holder is None:
            assert row is None
            return
        assert row is not None
        assert (row.claimed_by, row.lease_epoch, row.claimed_until) == (
            self.holder.owner,
            self.holder.epoch,
            self.until,
        )


def test_at_most_one_holder_and_every_stale_write_refused(engine: Engine) -> None:
    run_state_machine_as_test(
        lambda: LeaseMachine(engine),  # type: ignore[arg-type]
        settings=settings(max_examples=25, stateful_step_count=25, deadline=None),
    )


# A holder stalled or killed mid-write, with a second engine (another replica) taking over.


@dataclass(frozen=True)
class Pause:
    there: threading.Event
    go: threading.Event
    kill: threading.Event


@contextmanager
def paused_before(engine: Engine, sql: str) -> Iterator[Pause]:
    """Hold the first statement on ``engine`` starting with ``sql`` until ``go`` is set;
    ``there`` is set when it is held. SQLAlchemy's public event hook: nothing of ours is
    replaced, the real statement runs once released (or the process "dies" there, if
    ``kill`` is set)."""
    pause = Pause(threading.Event(), threading.Event(), threading.Event())
    held = threading.Lock()

    def hold(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(sql) and held.acquire(blocking=False):
            pause.there.set()
            assert pause.go.wait(30), "the test never let the write go"
            if pause.kill.is_set():
                raise ConnectionError("replica A was killed")

    event.listen(engine, "before_cursor_execute", hold)
    try:
        yield pause
    finally:
        event.remove(engine, "before_cursor_execute", hold)


@pytest.fixture
def other_replica(engine: Engine, clock: FakeClock) -> Iterator[Store]:
    """The same database through another engine (another process's connection pool)."""
    other = connect(engine.url.render_as_string(hide_password=False))
    yield Store(other, clock)
    other.dispose()


def test_a_holder_stalled_just_before_its_write_is_refused_after_a_takeover(
    engine: Engine, clock: FakeClock, other_replica: Store
) -> None:
    a, b = Store(engine, clock), other_replica
    poll = a.syncs.claim_change_poll("acct", "A", TURN)
    assert poll is not None
    outcome: list[BaseException | None] = []

    def a_records() -> None:
        try:
            a.syncs.record_listing(poll, clock.now, adopt={"k": "v1"}, report={})
            outcome.append(None)
        except BaseException as error:  # handed to the test's thread
            outcome.append(error)

    with paused_before(engine, "UPDATE CHANGE_POLLS") as pause:
        writer = threading.Thread(target=a_records)
        writer.start()
        assert pause.there.wait(30)  # A is about to write; it stalls here
        clock.now += TURN  # its turn runs out; B takes over and reports an edit
        taken = b.syncs.claim_change_poll("acct", "B", TURN)
        assert taken is not None
        b.syncs.record_listing(taken, clock.now, adopt={}, report={"k": "v2"})
        pause.go.set()
        writer.join(30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], LeaseLost)
    state = b.syncs.sync_states()["k"]
    assert (state.version, state.reported) == (None, "v2")


def test_a_holder_killed_mid_write_leaves_nothing_and_the_next_holder_takes_over(
    engine: Engine, clock: FakeClock, other_replica: Store
) -> None:
    """A dies after its fenced write and before the rest of its listing: the transaction
    goes with it, so no half of it is seen; B then takes the turn, and A's retry is refused."""
    a, b = Store(engine, clock), other_replica
    poll = a.syncs.claim_change_poll("acct", "A", TURN)
    assert poll is not None
    errors: list[BaseException] = []

    def a_records() -> None:
        try:
            a.syncs.record_listing(poll, clock.now, adopt={"k": "v1"}, report={})
        except BaseException as error:
            errors.append(error)

    with paused_before(engine, "INSERT INTO SHEET_SYNCS") as pause:
        writer = threading.Thread(target=a_records)
        writer.start()
        assert pause.there.wait(30)  # A's poll row is written (and locked), its listing not yet
        clock.now += TURN
        pause.kill.set()
        pause.go.set()
        writer.join(30)
    assert [type(error) for error in errors] == [ConnectionError]
    taken = b.syncs.claim_change_poll("acct", "B", TURN)
    assert taken is not None
    assert taken.listed_at is None  # A's listing never happened
    assert "k" not in b.syncs.sync_states()
    with pytest.raises(LeaseLost):
        a.syncs.record_listing(poll, clock.now, adopt={"k": "v1"}, report={})


# Upserts: the database decides "insert or change" in one statement (bot/store/upsert.py).


def test_a_watch_another_replica_creates_meanwhile_is_changed_not_an_error(
    engine: Engine, clock: FakeClock, other_replica: Store
) -> None:
    """A read "no such watch" and was about to create it when B created it: A's insert
    conflicts and does nothing (no IntegrityError, no aborted transaction), and A changes
    B's watch instead, keeping its creation time."""
    a = Store(engine, clock)
    results: list[object] = []
    with paused_before(engine, "INSERT INTO WATCHES") as pause:
        writer = threading.Thread(
            target=lambda: results.append(a.watches.add_watch(new_watch(channel="C9")))
        )
        writer.start()
        assert pause.there.wait(30)
        theirs = other_replica.watches.add_watch(new_watch(channel="C9"))
        clock.now += timedelta(minutes=1)
        pause.go.set()
        writer.join(30)
    (ours,) = results
    assert isinstance(ours, type(theirs))
    assert (ours.id, ours.created_at) == (theirs.id, theirs.created_at)
    assert len(a.watches.all("C9")) == 1
