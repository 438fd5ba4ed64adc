"""Which watched sheets a sync pass reads, and in what order (pure: the loop is runtime.py).

One replica at a time lists Drive's changes for all of them (`plan_listing`): versions some
person made are *reported* in the store, versions our own service account made are adopted
unread, since that write's final verify read already saw everything before it. Every replica
then reads only the sheets whose reported version no sync has started from, plus any not fully
synced for a day (a change Drive never reported heals itself): changed ones first, oldest
change first; then the stalest (`plan_pass`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.store.records import SyncState
from sheets.api import Version

FULL_RESYNC = timedelta(hours=24)
# While Drive's feed fails: reads per sheet sync (a grid read, its verify), the share of the
# account's reads the fallback may use, and its shortest period.
READS_PER_SYNC = 2
FALLBACK_SHARE = 0.5
FALLBACK_MIN = timedelta(hours=1)
# Google's answer when an API is off for the project (SERVICE_DISABLED / accessNotConfigured).
_DISABLED = re.compile(
    r"Drive API has not been used in project (?P<project>\w+)?|SERVICE_DISABLED|accessNotConfigured"
)


@dataclass(frozen=True, slots=True)
class Listing:
    """What one Drive listing means for the store."""

    adopt: dict[str, str] = field(default_factory=dict)  # key -> our own write's version
    report: dict[str, str] = field(default_factory=dict)  # key -> someone else's, to sync


@dataclass(frozen=True, slots=True)
class PassPlan:
    queue: list[tuple[str, str | None]] = field(default_factory=list)  # (key, version) to sync
    stale: int = 0  # how many of ``queue`` are there for the daily full sync


def plan_listing(
    watched: Collection[str],
    states: Mapping[str, SyncState],
    changed: Iterable[Version],
    *,
    me: str,
) -> Listing:
    """``changed``: Drive's listing, oldest first. A sheet already due stays due even if we
    wrote to it since: our write came after a change nobody has read."""
    adopt: dict[str, str] = {}
    report: dict[str, str] = {}
    for version in changed:
        key, state = version.key, states.get(version.key)
        if key not in watched or (state and version.modified in (state.version, state.reported)):
            continue
        due = key in report or (state is not None and state.due)
        if version.by == me and not due:
            adopt[key] = version.modified
        else:
            report[key] = version.modified
            adopt.pop(key, None)
    return Listing(adopt, report)


def plan_pass(
    watched: Collection[str],
    states: Mapping[str, SyncState],
    now: datetime,
    resync: timedelta = FULL_RESYNC,
) -> PassPlan:
    """``resync``: how long a sheet may go unread (shorter while Drive's feed fails)."""
    due = {key: state.reported for key in watched if (state := states.get(key)) and state.due}
    never = datetime.min.replace(tzinfo=now.tzinfo)
    stale = sorted(
        (key for key in watched if key not in due and _stale(states.get(key), now, resync)),
        key=lambda key: (states[key].synced_at or never) if key in states else never,
    )
    queue = sorted(due.items(), key=lambda pair: pair[1] or "")
    queue += [(key, None) for key in stale]
    return PassPlan(queue, len(stale))


def _stale(state: SyncState | None, now: datetime, resync: timedelta) -> bool:
    return state is None or state.synced_at is None or now - state.synced_at >= resync


def fallback_resync(sheets: int, reads_per_minute: int) -> timedelta:
    """While Drive can't say what changed: read every watched sheet this often, using at most
    half the account's reads (summaries and people's own syncs keep the rest), and never more
    often than hourly. 10,000 sheets at 60 reads a minute: every 11 h 7 min, not 24 h.

    >>> fallback_resync(100, 60)
    datetime.timedelta(seconds=3600)
    >>> fallback_resync(10_000, 60)
    datetime.timedelta(seconds=40020)
    """
    minutes = math.ceil(sheets * READS_PER_SYNC / max(reads_per_minute * FALLBACK_SHARE, 1))
    return max(FALLBACK_MIN, timedelta(minutes=minutes))


def drive_failure(error: str, account: str) -> str:
    """What an admin reads about a failing Drive listing, with the fix when there is one.

    >>> drive_failure("Google Sheets refused access (403): Google Drive API has not been "
    ...     "used in project 123 before or it is disabled.", "bot@acme.iam.gserviceaccount.com")
    ... # doctest: +ELLIPSIS
    'The Drive API is not enabled: enable the Drive API for project 123 (the service...'
    """
    disabled = _DISABLED.search(error)
    if disabled is None:
        return f"Drive's change listing failed: {error}"
    project = disabled["project"] or account.partition("@")[2].split(".")[0]
    return (
        f"The Drive API is not enabled: enable the Drive API for project {project} (the "
        f"service account {account} belongs to it) in the Google Cloud console."
    )
