"""`/ctr watch|unwatch|watching|status`: who may, what is stored, and the reply the person sees."""

from __future__ import annotations

from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import MAX_TEXT
from bot.slacktext import literal
from bot.store.deliveries import Deliveries
from bot.store.records import Clock, NewWatch, Watch, utc_now
from bot.store.syncs import SheetSyncs
from bot.store.watches import Watches
from bot.weekly.status import Operations, status_text
from bot.workspaces import Workspaces
from core.errors import CtrError, InputError
from core.owed import owed
from core.schedule import WeeklySlot, latest_due, next_due
from core.watching import (
    UNWATCH_EXAMPLE,
    StatusRequest,
    UnwatchRequest,
    WatchCommand,
    WatchingRequest,
    WatchRequest,
)
from sheets.api import parse_sheet_ref

# Slack's limit for a section's text, less room for the "…and N more" line.
MAX_LISTING = MAX_TEXT - 100
NOT_A_CHANNEL = (
    "Weekly summaries go to a channel, not a direct message: run /ctr watch in the "
    "channel that should receive them."
)
# Refusals are shown as written (bot/slacktext.py): plain words, no channel mention markup.
INVITE = (
    "I'm not a member of this channel, so I couldn't post its summaries: invite me with "
    "/invite @CTR, then run the command again."
)


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
    title: str  # the spreadsheet's name
    tab: int = 0  # the gid of the tab its summaries read


class SheetAccess(Protocol):
    """Checks the bot can summarise a sheet; raises CtrError saying how to fix it if not."""

    def check(self, url: str, week: date, *, today: date, timezone: str) -> SheetInfo: ...


@dataclass(frozen=True, slots=True)
class Invocation:
    """Who ran a command, and where: every read and write it makes is of this workspace."""

    team_id: str
    channel_id: str
    user_id: str
    enterprise_id: str | None = None


@dataclass(frozen=True, slots=True)
class WatchCommands:
    workspaces: Workspaces
    watches: Watches
    deliveries: Deliveries  # what was sent, for what a changed schedule still owes
    syncs: SheetSyncs  # for /ctr status
    access: SheetAccess
    admins: Set[str]
    # The running sync loop's backlog and quota use (None where no loop runs here).
    operations: Callable[[], Operations] | None = None
    clock: Clock = utc_now

    def run(self, command: WatchCommand, who: Invocation) -> str:
        """The mrkdwn reply for ``command``; raises CtrError for a person-readable refusal."""
        if isinstance(command, WatchingRequest):
            return self._watching(who)
        self._require_admin(who)
        if isinstance(command, StatusRequest):
            return self._status(who)
        if isinstance(command, UnwatchRequest):
            return self._unwatch(command, who)
        return self._watch(command, who)

    def _watch(self, request: WatchRequest, who: Invocation) -> str:
        zone = self._zone(request.timezone, who)
        self._require_membership(who)
        now = self.clock()
        slot = WeeklySlot(request.weekday, request.at, ZoneInfo(zone))
        first = latest_due(slot, next_due(slot, now))  # what the first summary reports on
        today = now.astimezone(slot.zone).date()
        sheet = self.access.check(request.url, first.reported_week, today=today, timezone=zone)
        watch = self.watches.of(who.team_id).add_watch(
            NewWatch(
                team_id=who.team_id,
                enterprise_id=who.enterprise_id,
                channel_id=who.channel_id,
                sheet_key=sheet.key,
                sheet_url=request.url,
                weekday=request.weekday,
                at=request.at,
                timezone=zone,
                created_by=who.user_id,
                tab=sheet.tab,
                sheet_name=sheet.title,
            )
        )
        sent = self.deliveries.delivered_weeks(
            watch.channel_id, watch.sheet_key, tab=watch.tab, team_id=watch.team_id
        )
        pending = owed(watch.times, now, sent)
        owing = (
            f" The summary due {pending[0].scheduled.astimezone(slot.zone):%A %d %b %H:%M} "
            "was not sent yet: it goes out within a minute."
            if pending
            else ""
        )
        return (
            f"Watching *{literal(sheet.title)}*: its CTR summary comes to this channel every "
            f"{request.weekday.name.capitalize()} at {request.at:%H:%M} ({zone}).{owing}"
        )

    def _unwatch(self, request: UnwatchRequest, who: Invocation) -> str:
        """By the number /ctr watching shows, the URL or the key: nothing is opened, so a
        sheet that was deleted or unshared can always be let go."""
        mine = self.watches.of(who.team_id)
        watches = mine.all(who.channel_id)
        found = find_watches(watches, request.target)
        if not found:
            raise InputError(
                "This channel has no such watch: /ctr watching lists them with their numbers.",
                example=UNWATCH_EXAMPLE,
            )
        if len(found) > 1:
            numbers = ", ".join(str(watches.index(w) + 1) for w in found)
            raise InputError(
                f"That matches {len(found)} watches here (numbers {numbers} in "
                "/ctr watching, one per tab): say which by its number.",
                example=f"unwatch {watches.index(found[0]) + 1}",
            )
        (watch,) = found
        mine.remove_watch(who.channel_id, watch.id)
        return f"Stopped: no more weekly summaries of {_name(watch)} in this channel."

    def _watching(self, who: Invocation) -> str:
        watches = self.watches.of(who.team_id).all(who.channel_id)
        if not watches:
            return (
                "This channel watches no sheets yet. An admin can add one with "
                "`/ctr watch &lt;sheet URL&gt;`."
            )
        lines = watching_lines(watches)
        return listing(
            "*Weekly summaries in this channel* (`/ctr unwatch &lt;number&gt;` stops one)", lines
        )

    def _status(self, who: Invocation) -> str:
        """The workspace's own watches; the replica's backlog and quota use (shared by every
        workspace) only where there is one workspace."""
        shared = self.operations is not None and not self.workspaces.per_workspace
        operations = self.operations() if self.operations is not None and shared else None
        head, lines = status_text(
            self.watches.of(who.team_id).all(),
            self.syncs.sync_states(),
            operations,
            self.clock(),
            feed=self.syncs.feed_failures(),
        )
        return listing(head, lines)

    def _client(self, who: Invocation) -> WebClient:
        return self.workspaces.client(who.team_id, who.enterprise_id)

    def _require_admin(self, who: Invocation) -> None:
        # CTR_ADMINS: TEAM:USER names an admin of that workspace only; a bare USER (allowed
        # only with one workspace, bot/settings.py) the one workspace there is.
        if f"{who.team_id}:{who.user_id}" in self.admins or who.user_id in self.admins:
            return
        user = self._client(who).users_info(user=who.user_id).get("user") or {}
        if not any(user.get(flag) for flag in ("is_admin", "is_owner", "is_primary_owner")):
            raise NotAllowed(
                "Only workspace admins and the people in CTR_ADMINS can change weekly "
                "summaries. Ask one of them, or use /ctr watching to see what is set up."
            )

    def _require_membership(self, who: Invocation) -> None:
        """The summaries will be posted here: refuse now what would fail at the due time."""
        if who.channel_id.startswith("D"):
            raise CtrError(NOT_A_CHANNEL)
        try:
            client = self._client(who)
            channel = client.conversations_info(channel=who.channel_id).get("channel") or {}
        except SlackApiError as error:
            if error.response.get("error") == "channel_not_found":  # private, bot not in it
                raise CtrError(INVITE) from None
            raise
        if channel.get("is_im"):
            raise CtrError(NOT_A_CHANNEL)
        if channel.get("is_archived"):
            raise CtrError("This channel is archived: summaries can't be posted here.")
        if not channel.get("is_member"):
            raise CtrError(INVITE)

    def _zone(self, requested: str | None, who: Invocation) -> str:
        name = requested
        if name is None:  # the person's own zone, as their Slack profile says
            user = self._client(who).users_info(user=who.user_id).get("user") or {}
            name = user.get("tz") or "UTC"
        return zone_name(name)


def zone_name(name: str) -> str:
    """The zone database's own spelling of ``name``, found case-insensitively (utc, GMT,
    Etc/UTC, europe/paris all work); InputError if there is no such zone."""
    canonical = _zones().get(name.lower(), name)
    try:
        ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"I don't know the time zone {name[:40]!r}; use a name like Europe/Paris or UTC.",
            example="watch <sheet URL> weekly monday 09:00 Europe/Paris",
        ) from None
    return canonical


@cache
def _zones() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


def find_watches(watches: Sequence[Watch], target: str) -> list[Watch]:
    """The channel's watches ``target`` names: its number in the list, its exact URL, a
    URL of the same spreadsheet (and tab, if the URL has one), or the spreadsheet's key."""
    if target.isdigit():
        index = int(target) - 1
        return [watches[index]] if 0 <= index < len(watches) else []
    exact = [w for w in watches if w.sheet_url == target]
    if exact:
        return exact
    try:
        ref = parse_sheet_ref(target)
    except InputError:
        return []
    return [w for w in watches if w.sheet_key == ref.key and (ref.gid is None or w.tab == ref.gid)]


def watching_lines(watches: Sequence[Watch]) -> list[str]:
    """`/ctr watching`'s lines: numbered as `/ctr unwatch` takes them, user text inert."""
    return [
        f"{number}. {_name(w)} · {literal(w.sheet_url)}: {w.weekday.name.capitalize()} "
        f"{w.at:%H:%M} ({w.timezone})"
        + (f" — *paused*: {literal(w.paused_reason)}" if w.paused_reason else "")
        for number, w in enumerate(watches, start=1)
    ]


def _name(watch: Watch) -> str:
    return f"*{literal(watch.sheet_name or watch.sheet_key)}*" + (
        f" (tab {watch.tab})" if watch.tab else ""
    )
