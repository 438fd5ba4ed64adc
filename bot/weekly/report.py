"""The inputs of one weekly message, gathered by the shell and rendered by pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.summary import WeeklySummary


@dataclass(frozen=True, slots=True)
class FlaggedRow:
    """A sheet row the sync could not compute, with the reason it showed in the sheet."""

    row: int
    reason: str


@dataclass(frozen=True, slots=True)
class WeeklyReport:
    """A summary plus what the message needs around it."""

    summary: WeeklySummary
    sheet_title: str
    sheet_url: str
    timezone: str
    min_impressions: int
    flagged: tuple[FlaggedRow, ...] = ()
    notes: tuple[str, ...] = field(default=())  # e.g. running totals that went down
    late_by: str | None = None  # "2 hours" when the bot was down at the scheduled time
