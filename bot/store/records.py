"""What the store hands out and takes in: plain records, no database in sight."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from bot.store.lease import Lease
from core.owed import WatchTimes
from core.schedule import Due, Weekday, WeeklySlot

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Claim:
    """The right to post one summary: how many owners tried, and a ts if one already posted."""

    attempts: int
    message_ts: str | None
    lease: Lease  # every write about this delivery goes under it


@dataclass(frozen=True, slots=True)
class SyncState:
    """What the last sync of a spreadsheet started from (Drive's modifiedTime) and when."""

    version: str | None
    synced_at: datetime | None
    reported: str | None = None  # a newer version Drive listed, not yet synced from

    @property
    def due(self) -> bool:
        """Drive reported a version no sync has started from yet."""
        return self.reported is not None and self.reported != self.version


@dataclass(frozen=True, slots=True)
class ChangePoll:
    """The right to list Drive's changes for every replica this time, and where to start."""

    listed_at: datetime | None  # when the last successful listing was asked for
    lease: Lease  # what the listing is recorded under


@dataclass(frozen=True, slots=True)
class NewWatch:
    """A channel's standing order for a weekly summary of one sheet, as requested."""

    team_id: str
    channel_id: str
    sheet_key: str
    sheet_url: str
    weekday: Weekday
    at: time
    timezone: str
    created_by: str
    tab: int = 0  # the worksheet's gid: each tab of a spreadsheet is its own watch
    sheet_name: str | None = None  # the spreadsheet's name, for the summary's header
    enterprise_id: str | None = None  # the workspace's Enterprise Grid org, if any

    @property
    def slot(self) -> WeeklySlot:
        return WeeklySlot(self.weekday, self.at, ZoneInfo(self.timezone))


@dataclass(frozen=True, slots=True, kw_only=True)
class Watch(NewWatch):
    """A stored watch: the request plus what the store knows about it."""

    id: int
    created_at: datetime  # first created; re-running /ctr watch keeps it
    paused_reason: str | None
    schedule_since: datetime  # when the current schedule took effect
    carried: Due | None = None  # owed by the previous schedule when it changed
    last_error: str | None = None
    last_error_at: datetime | None = None

    @property
    def times(self) -> WatchTimes:
        return WatchTimes(self.slot, self.schedule_since, self.carried)


@dataclass(frozen=True, slots=True)
class FeedFailure:
    """The Drive change listing of ``account`` fails: why, and since when."""

    account: str
    failure: str
    since: datetime
