"""Which sheets a pass reads: the pure part of change detection, table by table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store.records import SyncState
from bot.weekly.freshness import Listing, fallback_resync, plan_listing, plan_pass
from sheets.changes import Version

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
ME = "ctr@p.iam.gserviceaccount.com"
FRESH = NOW - timedelta(hours=1)


def state(version: str, hours_ago: float) -> SyncState:
    return SyncState(version, NOW - timedelta(hours=hours_ago))


def due(version: str, reported: str, hours_ago: float = 1) -> SyncState:
    return SyncState(version, NOW - timedelta(hours=hours_ago), reported)


def test_only_changed_sheets_are_reported_and_unwatched_ones_ignored() -> None:
    states = {"a": state("v1", 1), "b": state("v1", 1)}
    changed = [Version("b", "v2", "ann@x.com"), Version("zz", "v9", "ann@x.com")]
    listing = plan_listing({"a", "b"}, states, changed, me=ME)
    assert listing == Listing(adopt={}, report={"b": "v2"})


def test_a_version_already_synced_or_reported_is_not_reported_again() -> None:
    states = {"a": state("v1", 1), "b": due("v1", "v2")}
    changed = [Version("a", "v1", "x"), Version("b", "v2", "x")]
    assert plan_listing({"a", "b"}, states, changed, me=ME) == Listing()


def test_our_own_write_is_adopted_unread() -> None:
    listing = plan_listing({"a"}, {"a": state("v1", 1)}, [Version("a", "v2", ME)], me=ME)
    assert listing == Listing(adopt={"a": "v2"})


def test_a_sheet_already_due_is_read_even_if_we_wrote_since() -> None:
    listing = plan_listing({"a"}, {"a": due("v1", "v2")}, [Version("a", "v3", ME)], me=ME)
    assert listing == Listing(report={"a": "v3"})


def test_a_persons_change_after_ours_in_one_listing_is_reported_not_adopted() -> None:
    changed = [Version("a", "v2", ME), Version("a", "v3", "ann@x.com")]
    assert plan_listing({"a"}, {"a": state("v1", 1)}, changed, me=ME) == Listing(report={"a": "v3"})


def test_only_due_and_day_old_sheets_are_read() -> None:
    states = {"fresh": state("v1", 1), "due": due("v1", "v2")}
    plan = plan_pass({"fresh", "due"}, states, NOW)
    assert plan.queue == [("due", "v2")]
    assert plan.stale == 0


def test_changed_first_oldest_change_first_then_the_stalest() -> None:
    states = {
        "new": due("v1", "2026-11-20T11:00:00.000Z"),
        "old": due("v1", "2026-11-20T10:00:00.000Z", hours_ago=30),  # due beats stale
        "day": state("v1", 25),
        "week": state("v1", 24 * 7),
    }
    plan = plan_pass({*states, "never"}, states, NOW)
    assert [key for key, _ in plan.queue] == ["old", "new", "never", "week", "day"]
    assert plan.stale == 3


def test_while_drive_fails_sheets_are_read_on_a_schedule_the_quota_carries() -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    states = {"a": SyncState("v1", now - timedelta(hours=2)), "b": SyncState("v1", now)}
    assert plan_pass(["a", "b"], states, now).queue == []  # Drive would say if they changed
    assert plan_pass(["a", "b"], states, now, timedelta(hours=1)).queue == [("a", None)]
    assert fallback_resync(10, 60) == timedelta(hours=1)
    # 10,000 sheets, 2 reads each, half of 60 reads a minute: every 667 minutes.
    assert fallback_resync(10_000, 60) == timedelta(minutes=667)
