"""`/ctr watch|unwatch|watching|status`: the words that manage weekly summaries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from core.errors import InputError
from core.schedule import Weekday

WATCH_EXAMPLE = "watch https://docs.google.com/spreadsheets/d/… weekly monday 09:00 Europe/Paris"
UNWATCH_EXAMPLE = "unwatch 2"
DEFAULT_WEEKDAY = Weekday.MONDAY
DEFAULT_TIME = time(9, 0)

_DAYS = {day.name.lower(): day for day in Weekday} | {day.name.lower()[:3]: day for day in Weekday}
_TIME = re.compile(r"([01]?\d|2[0-3])[:h.]([0-5]\d)")
# An IANA name (Europe/Paris, Etc/GMT+2) or an alias like UTC or GMT, in any case: the bot
# looks it up in the zone database, case-insensitively.
_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}")
_SHEETS_URL = re.compile(r"https://docs\.google\.com/spreadsheets/d/[A-Za-z0-9_-]")
# What `/ctr unwatch` takes besides a URL: the number `/ctr watching` shows, or a key.
_NUMBER = re.compile(r"[1-9]\d{0,5}")
_KEY = re.compile(r"[A-Za-z0-9_-]{20,}")
# Slack may send a link as <https://...> or <https://...|label>.
_SLACK_LINK = re.compile(r"<([^<>|]+)(?:\|[^<>]*)?>")


@dataclass(frozen=True, slots=True)
class WatchRequest:
    """Watch a sheet: post its weekly summary here at ``weekday`` ``at`` in ``timezone``.

    ``timezone`` None means "the person's own time zone", which only Slack knows.
    """

    url: str
    weekday: Weekday
    at: time
    timezone: str | None


@dataclass(frozen=True, slots=True)
class UnwatchRequest:
    """Stop a watch of this channel, named as `/ctr watching` shows it: its URL, its
    spreadsheet's key, or its number in the list."""

    target: str


@dataclass(frozen=True, slots=True)
class WatchingRequest:
    """List this channel's watches."""


@dataclass(frozen=True, slots=True)
class StatusRequest:
    """For admins: watched sheets, their last sync, the sync backlog and quota use."""


WatchCommand = WatchRequest | UnwatchRequest | WatchingRequest | StatusRequest


WATCH_VERBS = frozenset({"watch", "unwatch", "watching", "status"})


def is_watch_command(text: str) -> bool:
    """Does ``text`` start with a watch verb? Any whitespace ends the verb (Slack keeps tabs).

    >>> is_watch_command("watch\thttps://docs.google.com/spreadsheets/d/k")
    True
    """
    words = text.split(None, 1)
    return bool(words) and words[0].lower() in WATCH_VERBS


def parse_watch_command(text: str) -> WatchCommand:
    """``text`` is the whole command, starting with the verb (watch, unwatch, watching)."""
    verb, *after = text.split(None, 1)
    verb, rest = verb.lower(), after[0] if after else ""
    # A Slack link's label may hold spaces: keep <...> together as the first argument.
    link = re.match(r"<[^<>]*>", rest)
    args = [link[0], *rest[link.end() :].split()] if link else rest.split()
    if verb in ("watching", "status"):
        if args:
            raise InputError(f"`{verb}` takes nothing after it.", example=verb)
        return WatchingRequest() if verb == "watching" else StatusRequest()
    if not args:
        if verb == "unwatch":
            raise InputError(
                "Say which watch to stop: its number in /ctr watching, its URL or its key.",
                example=UNWATCH_EXAMPLE,
            )
        raise InputError(f"Give the sheet's URL after `{verb}`.", example=WATCH_EXAMPLE)
    if verb == "unwatch":
        if len(args) > 1:
            raise InputError(
                "unwatch takes one watch: its number in /ctr watching, its URL or its key.",
                example=UNWATCH_EXAMPLE,
            )
        return UnwatchRequest(_unwatch_target(args[0]))
    return _watch(_sheet_url(args[0]), args[1:])


def _watch(url: str, schedule: list[str]) -> WatchRequest:
    if not schedule:
        return WatchRequest(url, DEFAULT_WEEKDAY, DEFAULT_TIME, None)
    if schedule[0].lower() != "weekly" or not 3 <= len(schedule) <= 4:
        raise InputError(
            "Write the schedule as `weekly <day> <HH:MM> [time zone]`.", example=WATCH_EXAMPLE
        )
    day = _DAYS.get(schedule[1].lower())
    if day is None:
        raise InputError(f"{schedule[1][:20]!r} is not a day of the week.", example=WATCH_EXAMPLE)
    clock = _TIME.fullmatch(schedule[2])
    if clock is None:
        raise InputError(f"{schedule[2][:20]!r} is not a time like 09:00.", example=WATCH_EXAMPLE)
    zone = schedule[3] if len(schedule) == 4 else None
    if zone is not None and not _ZONE.fullmatch(zone):
        raise InputError(
            f"{zone[:40]!r} is not a time zone name like Europe/Paris or America/New_York.",
            example=WATCH_EXAMPLE,
        )
    return WatchRequest(url, day, time(int(clock[1]), int(clock[2])), zone)


def _unwatch_target(text: str) -> str:
    link = _SLACK_LINK.fullmatch(text)
    target = link[1] if link else text
    if _NUMBER.fullmatch(target) or _KEY.fullmatch(target):
        return target
    return _sheet_url(target)


def _sheet_url(text: str) -> str:
    link = _SLACK_LINK.fullmatch(text)
    url = link[1] if link else text
    if not _SHEETS_URL.match(url) or len(url) > 500:
        raise InputError(
            "That doesn't look like a Google Sheets link (https://docs.google.com/…).",
            example=WATCH_EXAMPLE,
        )
    return url
