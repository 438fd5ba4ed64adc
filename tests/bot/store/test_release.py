"""Releasing a sheet claim or a Drive-listing turn (a stop cut the work short): another
replica may take it at once, and a release never touches a lease someone else now holds."""

from __future__ import annotations

from datetime import timedelta

from bot.store.repository import Store
from tests.bot.store.conftest import FakeClock

TURN = timedelta(minutes=3)
INTERVAL = timedelta(minutes=15)


def test_a_released_sheet_claim_can_be_taken_at_once(store: Store, clock: FakeClock) -> None:
    assert store.syncs.claim_sheet("sheet-1", "r1", clock.now + INTERVAL)
    assert not store.syncs.claim_sheet("sheet-1", "r2", clock.now + INTERVAL)
    store.syncs.release_sheet("sheet-1", "r1")
    assert store.syncs.claim_sheet("sheet-1", "r2", clock.now + INTERVAL)


def test_releasing_a_sheet_claim_taken_over_changes_nothing(store: Store, clock: FakeClock) -> None:
    assert store.syncs.claim_sheet("sheet-1", "r1", clock.now + INTERVAL)
    clock.now += INTERVAL + timedelta(seconds=1)  # r1 stalled past its claim; r2 took it
    assert store.syncs.claim_sheet("sheet-1", "r2", clock.now + INTERVAL)
    store.syncs.release_sheet("sheet-1", "r1")
    assert not store.syncs.claim_sheet("sheet-1", "r1", clock.now + INTERVAL)  # still r2's


def test_a_released_listing_turn_can_be_taken_at_once(store: Store, clock: FakeClock) -> None:
    assert store.syncs.claim_change_poll("acct", "r1", clock.now + TURN) is not None
    assert store.syncs.claim_change_poll("acct", "r2", clock.now + TURN) is None
    store.syncs.release_change_poll("acct", "r1")
    assert store.syncs.claim_change_poll("acct", "r2", clock.now + TURN) is not None


def test_releasing_a_listing_turn_taken_over_changes_nothing(
    store: Store, clock: FakeClock
) -> None:
    assert store.syncs.claim_change_poll("acct", "r1", clock.now + TURN) is not None
    clock.now += TURN
    assert store.syncs.claim_change_poll("acct", "r2", clock.now + TURN) is not None
    store.syncs.release_change_poll("acct", "r1")
    assert store.syncs.claim_change_poll("acct", "r3", clock.now + TURN) is None  # still r2's turn
