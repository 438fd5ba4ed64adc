"""`/ctr 200 50000 for <campaign>` and `/ctr trend <campaign>`: a campaign's own history,
read from the sheets the channel watches (their dated rows, or the stored snapshots of their
running totals, as the weekly summary reads them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.blocks import context, escape, section, share_button
from bot.slacktext import literal, plain
from bot.store.history import History
from bot.store.records import Clock, Watch, utc_now
from bot.store.watches import Watches
from bot.weekly.commands import Invocation
from bot.weekly.source import gather, is_running_totals
from bot.weekly.trend_chart import render_trend
from bot.workspaces import Workspaces
from core.baseline import check, usual_for
from core.counts import format_count
from core.errors import CtrError
from core.grammar import parse_variant
from core.history_commands import HistoryCommand, UsualRequest
from core.trend import TREND_WEEKS, find_campaign, last_complete_week, trend
from core.usual import describe_check
from core.weekly import WeekTable, week_start
from sheets.api import Cell, Layout

Message = dict[str, Any]
MAX_NAMES_SHOWN = 10


@dataclass(frozen=True, slots=True)
class Found:
    """The campaign as a watched sheet has it, and the weeks of that sheet."""

    name: str
    sheet_title: str
    table: WeekTable
    this_week: date  # the current (incomplete) week in the watch's time zone


@dataclass(frozen=True)
class CampaignHistory:
    """Answers questions about one campaign from the sheets this channel watches."""

    workspaces: Workspaces
    watches: Watches
    history: History
    # The summary's reader (SheetReportSource.read): the sync's last read while Drive says
    # the sheet is unchanged, so a question costs one Drive call, not two Sheets reads.
    read_sheet: Callable[[Watch], tuple[Sequence[Sequence[Cell]], Layout, str]]
    clock: Clock = utc_now

    def answer(self, request: HistoryCommand, who: Invocation, typed: str) -> Message:
        """The ephemeral answer, with a Share button; raises CtrError to explain a refusal."""
        found = self.find(request.campaign, who)
        if isinstance(request, UsualRequest):
            blocks = usual_blocks(request, found)
            text = f"Usual CTR of {literal(found.name)}"
        else:
            client = self.workspaces.client(who.team_id, who.enterprise_id)
            blocks = self._trend_blocks(found, client)
            text = f"Weekly CTR of {literal(found.name)}"
        share = share_button(typed)
        return {
            "response_type": "ephemeral",
            "text": text,
            "blocks": [*blocks, share] if share else blocks,
        }

    def share(self, request: HistoryCommand, who: Invocation) -> Message | None:
        """The answer for everyone: a message to post, or (a chart) uploaded here and None."""
        channel_id, user_id = who.channel_id, who.user_id
        found = self.find(request.campaign, who)
        credit = f"Shared by <@{escape(user_id)}> with `/ctr`"
        if isinstance(request, UsualRequest):
            return {
                "response_type": "in_channel",
                "replace_original": False,
                "text": f"Usual CTR of {literal(found.name)}",
                "blocks": [*usual_blocks(request, found), context(credit)],
            }
        self.workspaces.client(who.team_id, who.enterprise_id).files_upload_v2(
            channel=channel_id,
            content=self._chart(found),
            filename="ctr-trend.png",
            title=plain(f"Weekly CTR of {found.name}"),
            initial_comment=f"Weekly CTR of *{literal(found.name)}* · {credit}",
        )
        return None

    def find(self, typed: str, who: Invocation) -> Found:
        """The first of the channel's watched sheets (this workspace's watches) that has the
        campaign."""
        mine = self.watches.of(who.team_id).all(who.channel_id)
        watches = [w for w in mine if w.paused_reason is None]
        if not watches:
            raise CtrError(
                "This channel watches no sheets, so I know no campaign's history here. An "
                "admin can add one with `/ctr watch <sheet URL>`; or, on the command line, "
                "`ctr 200 50000 --usual 180/52000,210/49000,…` with the campaign's weeks."
            )
        names: set[str] = set()
        for watch in watches:
            table, title = self._read(watch)
            name = find_campaign(table, typed)
            if name is not None:
                today = self.clock().astimezone(ZoneInfo(watch.timezone)).date()
                return Found(name, title, table, week_start(today))
            names.update(n for rows in table.values() for n in rows)
        raise CtrError(_unknown(typed, names))

    def _read(self, watch: Watch) -> tuple[WeekTable, str]:
        grid, layout, title = self.read_sheet(watch)
        today = self.clock().astimezone(ZoneInfo(watch.timezone)).date()
        # Reading for a question records nothing: snapshots are the sync's and summary's job.
        snapshots = (
            self.history.snapshots(watch.sheet_key) if is_running_totals(grid, layout) else None
        )
        return gather(grid, layout, today=today, snapshots=snapshots).table, title

    def _chart(self, found: Found) -> bytes:
        points = trend(found.table, found.name, last_complete_week(found.this_week))
        return render_trend(points, found.name, found.sheet_title)

    def _trend_blocks(self, found: Found, client: WebClient) -> list[dict[str, Any]]:
        upload = client.files_upload_v2(
            content=self._chart(found),
            filename="ctr-trend.png",
            title=plain(f"Weekly CTR of {found.name}"),
        )
        file_id = upload["files"][0]["id"] if upload.get("files") else upload["file"]["id"]
        return [
            section(
                f"*{literal(found.name)}* ({literal(found.sheet_title)}): weekly CTR over the "
                f"last {TREND_WEEKS} weeks, with its usual range"
            ),
            {
                "type": "image",
                "slack_file": {"id": file_id},
                "alt_text": plain(f"Weekly CTR of {found.name} over the last {TREND_WEEKS} weeks"),
            },
            context(
                "The band is where 95% of its weeks would fall at that week's impressions, "
                "from its own previous weeks; circled weeks were unusual for it."
            ),
        ]


def usual_blocks(request: UsualRequest, found: Found) -> list[dict[str, Any]]:
    """The campaign's usual CTR and whether the typed figure would be unusual for it."""
    counts = parse_variant(request.counts_text).counts
    usual = usual_for(found.table, found.this_week, found.name)
    title = f"*{literal(found.name)}* ({literal(found.sheet_title)})"
    if usual is None:
        raise CtrError(
            f"{found.name} has no complete week in {found.sheet_title} yet, so it has no usual "
            "CTR to compare with."
        )
    head, verdict, method = describe_check(check(counts, usual), counts.impressions)
    return [
        section(f"{title}\n{escape(head)}"),
        section(
            f"*{escape(verdict)}*\n({format_count(counts.clicks)} clicks / "
            f"{format_count(counts.impressions)} impressions)"
        ),
        context(escape(method)),
    ]


def _unknown(typed: str, names: set[str]) -> str:
    listed = sorted(names)
    shown = ", ".join(listed[:MAX_NAMES_SHOWN])
    more = f" and {len(listed) - MAX_NAMES_SHOWN} more" if len(listed) > MAX_NAMES_SHOWN else ""
    known = f" It has: {shown}{more}." if listed else " They have no campaigns with data yet."
    return f"No campaign called {typed[:100]!r} in the sheets this channel watches.{known}"
