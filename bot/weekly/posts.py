"""A weekly summary's Slack side: the message as rendered, where it goes, and the calls
that post it, upload its chart and find what an earlier owner wrote (by the summary's
metadata), each paced within Slack's limits (bot/weekly/pacing.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk import WebClient

from bot.slacktext import plain
from bot.weekly.pacing import UPLOAD, Pace, unpaced

log = logging.getLogger(__name__)

SUMMARY_EVENT = "ctr_weekly_summary"


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready to post: blocks, fallback text, and the chart for its thread."""

    blocks: list[dict[str, Any]]
    text: str
    chart_png: bytes
    chart_title: str


@dataclass(frozen=True, slots=True)
class Target:
    channel_id: str
    sheet_key: str
    week: date
    tab: int = 0  # the worksheet's gid: two tabs of one spreadsheet are two summaries
    # The workspace whose watch owes it: in a Slack Connect channel (one id in each workspace
    # sharing it) each workspace's summary is its own, found by its own metadata.
    team_id: str = ""

    def describe(self) -> str:
        return f"{self.channel_id}/{self.sheet_key}/{self.week.isoformat()}/{self.tab}"

    @property
    def chart_name(self) -> str:
        return f"ctr-week-{self.week.isoformat()}.png"


@dataclass(frozen=True)
class ChannelPosts:
    """The Slack calls of one delivery, each paced within Slack's limits."""

    client: WebClient
    target: Target
    since: datetime
    pace: Pace

    def find_posted(self) -> str | None:
        self.pace("conversations.history", self.target.team_id, self.target.channel_id)
        return find_posted(self.client, self.target, self.since, self.pace)

    def post(self, message: Rendered, owner: str) -> str:
        self.pace("chat.postMessage", self.target.team_id, self.target.channel_id)
        return _post(self.client, self.target, message, owner)

    def keep_first(self, ours: str) -> str:
        """Repair after the fact: if another summary for this week came first, delete ours.

        Whoever posts the later of two summaries lists the channel after both exist, so it
        is always the later one that sees the pair and withdraws.
        """
        first = self.find_posted() or ours
        if first != ours:
            log.warning("another replica posted %s first; deleting our duplicate %s", first, ours)
            self.pace("chat.delete", self.target.team_id, self.target.channel_id)
            self.client.chat_delete(channel=self.target.channel_id, ts=ours)
        return first

    def charts(self, ts: str) -> list[str]:
        self.pace("conversations.replies", self.target.team_id, self.target.channel_id)
        return charts_in_thread(self.client, self.target, ts)

    def upload(self, message: Rendered, ts: str) -> str:
        for method in UPLOAD:
            self.pace(method, self.target.team_id, self.target.channel_id)
        response = self.client.files_upload_v2(
            channel=self.target.channel_id,
            thread_ts=ts,
            content=message.chart_png,
            filename=self.target.chart_name,
            title=plain(message.chart_title),  # user text may be in it: one line
        )
        return str(response["file"]["id"])

    def keep_first_chart(self, ts: str, ours: str) -> None:
        """Keep only the first copy of the chart in the thread."""
        first = next(iter(self.charts(ts)), ours)
        if first != ours:
            log.warning("another replica uploaded chart %s first; deleting ours %s", first, ours)
            self.pace("files.delete", self.target.team_id, self.target.channel_id)
            self.client.files_delete(file=ours)


def find_posted(
    client: WebClient, target: Target, since: datetime, pace: Pace = unpaced
) -> str | None:
    """The ts of the first summary already in the channel for this sheet and week, if any."""
    found = summaries_in_channel(client, target, since, pace)
    return found[0] if found else None


def summaries_in_channel(
    client: WebClient, target: Target, since: datetime, pace: Pace = unpaced
) -> list[str]:
    """The ts of every summary for this sheet and week since ``since``, oldest first."""
    found: list[str] = []
    cursor = None
    while True:
        page = client.conversations_history(
            channel=target.channel_id,
            oldest=f"{since.timestamp():.6f}",
            include_all_metadata=True,
            limit=200,
            cursor=cursor,
        )
        messages: list[dict[str, Any]] = page.get("messages", [])
        found += [str(m["ts"]) for m in messages if _is_summary_for(m, target)]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return sorted(found, key=float)
        # the next page is another call
        pace("conversations.history", target.team_id, target.channel_id)


def _post(client: WebClient, target: Target, message: Rendered, owner: str) -> str:
    response = client.chat_postMessage(
        channel=target.channel_id,
        blocks=message.blocks,
        text=message.text,
        unfurl_links=False,
        metadata={"event_type": SUMMARY_EVENT, "event_payload": _payload(target) | {"by": owner}},
    )
    return str(response["ts"])


def charts_in_thread(client: WebClient, target: Target, ts: str) -> list[str]:
    """File ids of this week's chart among the thread's replies, oldest first."""
    page = client.conversations_replies(channel=target.channel_id, ts=ts, limit=200)
    replies: list[dict[str, Any]] = page.get("messages", [])
    return [
        str(file["id"])
        for reply in replies
        if reply.get("ts") != ts
        for file in reply.get("files", [])
        if file.get("name") == target.chart_name
    ]


def _payload(target: Target) -> dict[str, str]:
    payload = {"sheet": target.sheet_key, "week": target.week.isoformat()}
    payload |= {"tab": str(target.tab)} if target.tab else {}
    return payload | {"team": target.team_id} if target.team_id else payload


def _is_summary_for(message: dict[str, Any], target: Target) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    expected = _payload(target)
    return metadata.get("event_type") == SUMMARY_EVENT and all(
        payload.get(key) == expected.get(key) for key in ("sheet", "week", "tab", "team")
    )
