"""Releasing a sheet claim or a Drive-listing turn (a stop cut the work short): another
replica may take it at once, and a release never touches a lease someone else now holds."""

from __future__ import annotations

from datetime import timedelta

from bot.store.repository import Store
from tests.bot.store.conftest import FakeClock

TURN = timedelta(minutes=3)
INTERVAL = timedelta(minutes=15)


def test_a_released_sheet_claim_can_be_taken_at_once(store: Store) -> None:
    mine = store.syncs.claim_sheet("sheet-1", "r1", INTERVAL)
    assert mine is not None
    assert store.syncs.claim_sheet("sheet-1", "r2", INTERVAL) is None
    assert store.syncs.release_sheet(mine)
    assert store.syncs.claim_sheet("sheet-1", "r2", INTERVAL) is not None


def test_releasing_a_sheet_claim_taken_over_changes_nothing(store: Store, clock: FakeClock) -> None:
    mine = store.syncs.claim_sheet("sheet-1", "r1", INTERVAL)
    assert mine is not None
    clock.now += INTERVAL + timedelta(seconds=1)  # r1 stalled past its claim; r2 took it
    assert store.syncs.claim_sheet("sheet-1", "r2", INTERVAL) is not None
    assert not store.syncs.release_sheet(mine)
    assert store.syncs.claim_sheet("sheet-1", "r1", INTERVAL) is None  # still r2's


def test_a_released_listing_turn_can_be_taken_at_once(store: Store) -> None:
    mine = store.syncs.claim_change_poll("acct", "r1", TURN)
    assert mine is not None
    assert store.syncs.claim_change_poll("acct", "r2", TURN) is None
    assert store.syncs.release_change_poll(mine)
    assert store.syncs.claim_change_poll("acct", "r2", TURN) is not None


def test_releasing_a_listing_turn_taken_over_changes_nothing(
    store: Store, clock: FakeClock
) -> None:
    mine = store.syncs.claim_change_poll("acct", "r1", TURN)
    assert mine is not None
    clock.now += TURN
    assert store.syncs.claim_change_poll("acct", "r2", TURN) is not None
    assert not store.syncs.release_change_poll(mine)
    assert store.syncs.claim_change_poll("acct", "r3", TURN) is None  # still r2's turn
