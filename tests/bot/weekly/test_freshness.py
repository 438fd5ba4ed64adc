"""Which sheets a pass reads: the pure part of change detection, table by table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store.repository import SyncState
from bot.weekly.freshness import plan_pass
from sheets.changes import Version

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
ME = "ctr@p.iam.gserviceaccount.com"
FRESH = NOW - timedelta(hours=1)


def state(version: str, hours_ago: float) -> SyncState:
    return SyncState(version, NOW - timedelta(hours=hours_ago))


def test_only_changed_sheets_are_read_and_unwatched_ones_ignored() -> None:
    states = {"a": state("v1", 1), "b": state("v1", 1)}
    changed = [Version("b", "v2", "ann@x.com"), Version("zz", "v9", "ann@x.com")]
    plan = plan_pass({"a", "b"}, states, changed, {}, me=ME, now=NOW)
    assert plan.queue == [("b", "v2")]
    assert plan.adopt == {}


def test_a_version_already_synced_is_not_read_again() -> None:
    plan = plan_pass({"a"}, {"a": state("v1", 1)}, [Version("a", "v1", "x")], {}, me=ME, now=NOW)
    assert plan.queue == []


def test_our_own_write_is_adopted_unread() -> None:
    changed = [Version("a", "v2", ME)]
    plan = plan_pass({"a"}, {"a": state("v1", 1)}, changed, {}, me=ME, now=NOW)
    assert plan.adopt == {"a": "v2"}
    assert plan.queue == []


def test_a_change_owed_from_an_earlier_pass_is_read_even_if_we_wrote_since() -> None:
    owed = {"a": Version("a", "v2", "ann@x.com")}
    changed = [Version("a", "v3", ME)]
    plan = plan_pass({"a"}, {"a": state("v1", 1)}, changed, owed, me=ME, now=NOW)
    assert plan.queue == [("a", "v3")]
    assert plan.adopt == {}


def test_changed_first_oldest_change_first_then_the_stalest() -> None:
    states = {
        "new": state("v1", 1),
        "old": state("v1", 1),
        "day": state("v1", 25),
        "week": state("v1", 24 * 7),
    }
    changed = [
        Version("new", "2026-11-20T11:00:00.000Z", "ann@x.com"),
        Version("old", "2026-11-20T10:00:00.000Z", "ann@x.com"),
    ]
    plan = plan_pass({*states, "never"}, states, changed, {}, me=ME, now=NOW)
    assert [key for key, _ in plan.queue] == ["old", "new", "never", "week", "day"]
    assert plan.stale == 3
