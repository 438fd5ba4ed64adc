"""`/ctr status` for admins: a failing Drive change feed (with its fix), paused watches and
why, each watch's last error, watched sheets and their last sync, what waits for a sync, the
backlog and quota use (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.slacktext import literal
from bot.store.records import FeedFailure, SyncState, Watch
from bot.weekly.freshness import plan_pass
from sheets.api import Kind, Usage


@dataclass(frozen=True, slots=True)
class Operations:
    """What the running sync loop knows right now."""

    backlog: int  # sheets due that the last pass could not reach
    usage: Usage
    # Quota buckets whose stored size differs from this replica's setting: name -> (ours,
    # the stored one every replica uses) (bot/store/quota.py).
    quota_sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)


def status_text(
    watches: Sequence[Watch],
    syncs: Mapping[str, SyncState],
    operations: Operations | None,
    now: datetime,
    feed: Sequence[FeedFailure] = (),
) -> tuple[str, list[str]]:
    """(the summary lines, then one line per troubled watch and per watched sheet, stalest
    first)."""
    sheets = {w.sheet_key: w for w in watches}
    paused = sum(1 for w in watches if w.paused_reason)
    head = f"*Weekly CTR status*: {len(sheets)} watched sheet(s) in {len(watches)} watch(es)"
    head += f", {paused} paused" if paused else ""
    # From the store, so every replica's admin sees the same: what the next passes will read.
    due = plan_pass(sheets.keys(), syncs, now)
    head += f", {len(due.queue)} waiting for a sync ({len(due.queue) - due.stale} changed)"
    if operations is not None:
        usage = operations.usage
        used = ", ".join(
            f"{kind.value}s {usage.last_minute.get(kind, 0)}/{usage.limits.get(kind, 0)}"
            for kind in (Kind.READ, Kind.WRITE, Kind.DRIVE)
        )
        head += (
            f"\nSync backlog: {operations.backlog} · "
            f"this replica's quota use in the last minute: {used} · "
            f"{usage.waiting} waiting now, {usage.waits} waited since start "
            f"({usage.waited_seconds:.0f} s)"
        )
        for name, (ours, stored) in sorted(operations.quota_sizes.items()):
            head += (
                f"\n:warning: *Quota settings differ*: the shared bucket {literal(name)} is "
                f"{stored} a minute (set by the replica that started last), this replica's "
                f"SHEETS_QUOTA_PER_MINUTE is {ours}. Every replica uses {stored}; give them "
                "all the same setting."
            )
    for failure in feed:  # first: every watched sheet goes stale while it lasts
        head += (
            f"\n:warning: *Drive's change feed fails* (since {_ago_time(failure.since, now)}): "
            f"{literal(failure.failure)} Meanwhile every watched sheet is read on a slower "
            "schedule instead of when it changes."
        )
    never = datetime.min.replace(tzinfo=UTC)  # never-synced sheets first: the stalest
    ordered = sorted(sheets.values(), key=lambda w: _synced_at(syncs, w.sheet_key) or never)
    lines = [_trouble(w, now) for w in watches if w.paused_reason or w.last_error]
    lines += [
        f"• {literal(w.sheet_url)}: {_ago(syncs, w.sheet_key, now)}"
        + (", changed since" if (state := syncs.get(w.sheet_key)) and state.due else "")
        for w in ordered
    ]
    return head, lines


def _trouble(watch: Watch, now: datetime) -> str:
    where = f"{literal(watch.sheet_name or watch.sheet_key)} in <#{watch.channel_id}>"
    if watch.paused_reason:
        return f"• *paused*: {where}: {literal(watch.paused_reason)}"
    when = _ago_time(watch.last_error_at, now) if watch.last_error_at else "recently"
    return f"• *last error* ({when}): {where}: {literal(watch.last_error or '')}"


def _ago_time(moment: datetime, now: datetime) -> str:
    minutes = int((now - _aware(moment)).total_seconds() // 60)
    return f"{minutes} min ago" if minutes < 120 else f"{minutes // 60} h ago"


def _synced_at(syncs: Mapping[str, SyncState], key: str) -> datetime | None:
    state = syncs.get(key)
    return None if state is None or state.synced_at is None else _aware(state.synced_at)


def _ago(syncs: Mapping[str, SyncState], key: str, now: datetime) -> str:
    synced = _synced_at(syncs, key)
    if synced is None:
        return "never synced"
    minutes = int((now - synced).total_seconds() // 60)
    if minutes < 120:
        return f"synced {minutes} min ago"
    return f"synced {minutes // 60} h ago"


def _aware(moment: datetime) -> datetime:
    # SQLite hands datetimes back without their zone; the store writes UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
