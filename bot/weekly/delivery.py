"""Post one weekly summary exactly once per (channel, sheet, week), across replicas and crashes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient

from bot.store.repository import Store

log = logging.getLogger(__name__)

SUMMARY_EVENT = "ctr_weekly_summary"
DEFAULT_LEASE = timedelta(minutes=5)


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


class Outcome(StrEnum):
    POSTED = "posted"
    RECOVERED = "recovered"  # a dead replica had posted; we only recorded it
    ELSEWHERE = "elsewhere"  # another replica holds the claim, or it is already posted


def deliver(
    client: WebClient,
    store: Store,
    owner: str,
    target: Target,
    render: Callable[[], Rendered],
    *,
    since: datetime,
    lease: timedelta = DEFAULT_LEASE,
) -> Outcome:
    """Claim, then post the summary and its chart; safe to call from every replica at once.

    Args:
        since: no earlier than the scheduled time; where to start looking for a post a
            crashed replica may have made.
    """
    key = (target.channel_id, target.sheet_key, target.week)
    if not store.claim_delivery(*key, owner, lease):
        return Outcome.ELSEWHERE
    try:
        found = None
        if store.delivery_attempts(*key) > 1:
            found = find_posted(client, target, since)
        message = render()
        ts = found if found is not None else _post(client, target, message)
    except BaseException:
        store.release_delivery(*key, owner)  # nothing was posted: let a retry take it
        raise
    store.mark_posted(*key, owner, ts)
    # The chart goes up only after marking, so a failed upload can never cause a second
    # message; and an owner that died before marking never uploaded it, so recovery does.
    _upload_chart(client, target, message, ts)
    return Outcome.POSTED if found is None else Outcome.RECOVERED


def find_posted(client: WebClient, target: Target, since: datetime) -> str | None:
    """The ts of a summary already in the channel for this sheet and week, if any."""
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
        for message in messages:
            if _is_summary_for(message, target):
                return str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None


def _post(client: WebClient, target: Target, message: Rendered) -> str:
    response = client.chat_postMessage(
        channel=target.channel_id,
        blocks=message.blocks,
        text=message.text,
        unfurl_links=False,
        metadata={"event_type": SUMMARY_EVENT, "event_payload": _payload(target)},
    )
    return str(response["ts"])


def _upload_chart(client: WebClient, target: Target, message: Rendered, ts: str) -> None:
    client.files_upload_v2(
        channel=target.channel_id,
        thread_ts=ts,
        content=message.chart_png,
        filename=f"ctr-week-{target.week.isoformat()}.png",
        title=message.chart_title,
    )


def _payload(target: Target) -> dict[str, str]:
    return {"sheet": target.sheet_key, "week": target.week.isoformat()}


def _is_summary_for(message: dict[str, Any], target: Target) -> bool:
    metadata = message.get("metadata") or {}
    return metadata.get("event_type") == SUMMARY_EVENT and metadata.get(
        "event_payload"
    ) == _payload(target)
