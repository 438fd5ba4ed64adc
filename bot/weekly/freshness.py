"""Which watched sheets a sync pass reads, and in what order (pure: the loop is runtime.py).

Only sheets Drive says changed since they were last synced, plus any not fully synced for a
day (a change Drive never reported heals itself). Changed sheets go first, oldest change
first; then the stalest. A change whose last author is our own service account is our write:
its final verify read already saw everything before it, so the new version is adopted unread.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.store.repository import SyncState
from sheets.changes import Version

FULL_RESYNC = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class PassPlan:
    adopt: dict[str, str] = field(default_factory=dict)  # key -> our own write's version
    queue: list[tuple[str, str | None]] = field(default_factory=list)  # (key, version) to sync
    stale: int = 0  # how many of ``queue`` are there for the daily full sync


def plan_pass(
    watched: Collection[str],
    states: Mapping[str, SyncState],
    changed: Iterable[Version],
    owed: Mapping[str, Version],
    *,
    me: str,
    now: datetime,
) -> PassPlan:
    """``owed``: changes a past pass saw but did not sync (it failed, or ran out of time)."""
    due: dict[str, Version] = dict(owed)
    adopt: dict[str, str] = {}
    for version in changed:
        key = version.key
        if key not in watched or version.modified == _stored(states, key):
            continue
        if version.by == me and key not in due:
            adopt[key] = version.modified
        else:
            due[key] = version
    queue: list[tuple[str, str | None]] = [
        (v.key, v.modified) for v in sorted(due.values(), key=lambda v: v.modified)
    ]
    never = datetime.min.replace(tzinfo=now.tzinfo)
    stale = sorted(
        (key for key in watched if key not in due and _stale(states.get(key), now)),
        key=lambda key: (states[key].synced_at or never) if key in states else never,
    )
    queue += [(key, None) for key in stale]
    return PassPlan(adopt, queue, len(stale))


def _stored(states: Mapping[str, SyncState], key: str) -> str | None:
    state = states.get(key)
    return state.version if state else None


def _stale(state: SyncState | None, now: datetime) -> bool:
    return state is None or state.synced_at is None or now - state.synced_at >= FULL_RESYNC
