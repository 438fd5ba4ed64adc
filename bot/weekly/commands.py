"""`/ctr watch|unwatch|watching`: who may, what is stored, and the reply the person sees."""

from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient

from bot.blocks import MAX_TEXT, escape
from bot.store.repository import Clock, NewWatch, Store, utc_now
from bot.weekly.status import Operations, status_text
from core.errors import CtrError, InputError
from core.watching import (
    StatusRequest,
    UnwatchRequest,
    WatchCommand,
    WatchingRequest,
    WatchRequest,
)

# Slack's limit for a section's text, less room for the "…and N more" line.
MAX_LISTING = MAX_TEXT - 100


def listing(title: str, lines: list[str], limit: int = MAX_LISTING) -> str:
    """``title`` and as many whole lines as fit, then how many more there are.

    >>> listing("*Watches*", ["• a", "• b", "• c"], limit=20)
    '*Watches*\\n• a\\n• b\\n…and 1 more (3 in all)'
    """
    shown: list[str] = []
    used = len(title)
    for line in lines:
        used += 1 + len(line)
        if used > limit:
            break
        shown.append(line)
    if len(shown) < len(lines):
        shown.append(f"…and {len(lines) - len(shown)} more ({len(lines)} in all)")
    return "\n".join([title, *shown])


class NotAllowed(CtrError):
    """The person may not change this channel's watches."""


@dataclass(frozen=True, slots=True)
class SheetInfo:
    key: str
    title: str


class SheetAccess(Protocol):
    """Checks the bot can read a sheet; raises CtrError saying whom to share it with if not."""

    def check(self, url: str) -> SheetInfo: ...


@dataclass(frozen=True, slots=True)
class Invocation:
    team_id: str
    channel_id: str
    user_id: str


@dataclass(frozen=True, slots=True)
class WatchCommands:
    client: WebClient
    store: Store
    access: SheetAccess
    admins: Set[str]
    # The running sync loop's backlog and quota use (None where no loop runs here).
    operations: Callable[[], Operations] | None = None
    clock: Clock = utc_now

    def run(self, command: WatchCommand, who: Invocation) -> str:
        """The mrkdwn reply for ``command``; raises CtrError for a person-readable refusal."""
        if isinstance(command, WatchingRequest):
            return self._watching(who)
        self._require_admin(who.user_id)
        if isinstance(command, StatusRequest):
            return self._status()
        if isinstance(command, UnwatchRequest):
            return self._unwatch(command, who)
        return self._watch(command, who)

    def _watch(self, request: WatchRequest, who: Invocation) -> str:
        zone = self._zone(request.timezone, who.user_id)
        sheet = self.access.check(request.url)
        self.store.add_watch(
            NewWatch(
                team_id=who.team_id,
                channel_id=who.channel_id,
                sheet_key=sheet.key,
                sheet_url=request.url,
                weekday=request.weekday,
                at=request.at,
                timezone=zone,
                created_by=who.user_id,
            )
        )
        return (
            f"Watching *{escape(sheet.title)}*: its CTR summary comes to this channel every "
            f"{request.weekday.name.capitalize()} at {request.at:%H:%M} ({zone})."
        )

    def _unwatch(self, request: UnwatchRequest, who: Invocation) -> str:
        key = self.access.check(request.url).key
        if not self.store.remove_watch(who.channel_id, key):
            raise InputError("This channel wasn't watching that sheet.", example="watching")
        return "Stopped: no more weekly summaries of that sheet in this channel."

    def _watching(self, who: Invocation) -> str:
        watches = self.store.watches(who.channel_id)
        if not watches:
            return (
                "This channel watches no sheets yet. An admin can add one with "
                "`/ctr watch &lt;sheet URL&gt;`."
            )
        lines = [
            f"• {escape(w.sheet_url)}: {w.weekday.name.capitalize()} {w.at:%H:%M} ({w.timezone})"
            + (f" — *paused*: {escape(w.paused_reason)}" if w.paused_reason else "")
            for w in watches
        ]
        return listing("*Weekly summaries in this channel*", lines)

    def _status(self) -> str:
        operations = self.operations() if self.operations is not None else None
        head, lines = status_text(
            self.store.watches(), self.store.sync_states(), operations, self.clock()
        )
        return listing(head, lines)

    def _require_admin(self, user_id: str) -> None:
        if user_id in self.admins:
            return
        user = self.client.users_info(user=user_id).get("user") or {}
        if not any(user.get(flag) for flag in ("is_admin", "is_owner", "is_primary_owner")):
            raise NotAllowed(
                "Only workspace admins and the people in CTR_ADMINS can change weekly "
                "summaries. Ask one of them, or use `/ctr watching` to see what is set up."
            )

    def _zone(self, requested: str | None, user_id: str) -> str:
        name = requested
        if name is None:  # the person's own zone, as their Slack profile says
            user = self.client.users_info(user=user_id).get("user") or {}
            name = user.get("tz") or "UTC"
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(
                f"I don't know the time zone {name[:40]!r}; use a name like Europe/Paris.",
                example="watch <sheet URL> weekly monday 09:00 Europe/Paris",
            ) from None
        return name
