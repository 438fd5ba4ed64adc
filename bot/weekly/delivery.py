"""Post one weekly summary exactly once per (channel, sheet, week), across replicas and crashes.

The protocol: claim (a row with a lease) → post → record the message → upload the chart →
done. Before every Slack write the owner re-checks, in one UPDATE, that the claim is still
its own and extends the lease (the fence), so a replica that stalled past its lease and was
taken over writes nothing more. The gap between that check and Slack storing the write is
closed after the fact: a replica that finds two summaries (or two charts) for the same sheet
and week deletes the later one it owns.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient

from bot.slacktext import plain
from bot.store.deliveries import Deliveries
from bot.store.lease import Lease, LeaseLost
from bot.store.records import Claim
from bot.weekly.held import HELD
from bot.weekly.pacing import UPLOAD, Pace, unpaced

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
    tab: int = 0  # the worksheet's gid: two tabs of one spreadsheet are two summaries
    # The workspace whose watch owes it: in a Slack Connect channel (one id in each workspace
    # sharing it) each workspace's summary is its own, found by its own metadata.
    team_id: str = ""

    def describe(self) -> str:
        return f"{self.channel_id}/{self.sheet_key}/{self.week.isoformat()}/{self.tab}"

    @property
    def chart_name(self) -> str:
        return f"ctr-week-{self.week.isoformat()}.png"


class Outcome(StrEnum):
    POSTED = "posted"
    RECOVERED = "recovered"  # a replica that died had posted; we finished its delivery
    ELSEWHERE = "elsewhere"  # another replica holds the claim, took it over, or it is done


@dataclass(frozen=True)
class Fence:
    """One owner's hold on one delivery: every Slack write goes through ``check``, and every
    store write names the lease (LeaseLost once another replica took the claim over)."""

    deliveries: Deliveries
    target: Target
    held: Lease
    lease: timedelta

    @property
    def owner(self) -> str:
        return self.held.owner

    def check(self) -> None:
        """Still ours? Extends the lease when it is; raises LeaseLost when it isn't."""
        self.deliveries.renew_delivery(self.held, self.lease)

    def posted(self, ts: str) -> None:
        self.deliveries.mark_posted(self.held, ts)

    def charted(self) -> None:
        self.deliveries.mark_charted(self.held)

    def release(self) -> None:
        self.deliveries.release_delivery(self.held)

    @contextmanager
    def renewed(self, every: float) -> Iterator[None]:
        """Renew the lease every ``every`` seconds while the body runs (a slow render or
        sheet must not let the claim lapse); a renewal that fails just stops renewing."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(every):
                try:
                    self.check()
                except LeaseLost:
                    return
                except Exception:  # a database blip: the next beat or the fence retries
                    log.warning("could not renew the lease on %s", self.target, exc_info=True)

        thread = threading.Thread(target=beat, name="delivery-lease", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()


def deliver(
    client: WebClient,
    deliveries: Deliveries,
    owner: str,
    target: Target,
    render: Callable[[], Rendered],
    *,
    since: datetime,
    lease: timedelta = DEFAULT_LEASE,
    pace: Pace = unpaced,
) -> Outcome:
    """Claim, then post the summary and its chart; safe to call from every replica at once.

    Args:
        since: no earlier than the scheduled time; where to start looking for a post a
            crashed replica may have made.
        pace: called before each Slack call with its method and channel, to wait until
            Slack's rate limits allow it (bot/weekly/pacing.py).
    """
    claim = deliveries.claim_delivery(
        target.channel_id,
        target.sheet_key,
        target.week,
        owner,
        lease,
        tab=target.tab,
        team_id=target.team_id,
    )
    if claim is None:
        return Outcome.ELSEWHERE
    fence = Fence(deliveries, target, claim.lease, lease)
    slack = _Slack(client, target, since, pace)
    try:
        with (
            HELD.hold(f"summary {target.describe()}", fence.release),
            fence.renewed(every=lease.total_seconds() / 3),
        ):
            return _deliver_claimed(slack, fence, claim, render)
    except LeaseLost as lost:
        log.warning("weekly summary handed over to another replica: %s", lost)
        return Outcome.ELSEWHERE
    except BaseException:
        fence.release()  # the next pass may retry at once; it looks in Slack first
        raise


def _deliver_claimed(
    slack: _Slack, fence: Fence, claim: Claim, render: Callable[[], Rendered]
) -> Outcome:
    """Slack is listed (history, replies) only when another owner may have written: the
    claim was held before ours, or ours was taken over after one of our writes. A first
    owner whose fence holds through each write knows nobody else wrote: one post, one
    upload, no reads (Tier 3 reads at 50 a minute would halve a Monday burst's pace)."""
    uncertain = claim.attempts > 1 or claim.message_ts is not None
    ts = claim.message_ts  # an owner that died between the message and its chart
    if ts is None and uncertain:
        ts = slack.find_posted()
    recovered = ts is not None
    message = render()
    if ts is None:
        fence.check()
        ours = slack.post(message, fence.owner)
        ts = slack.keep_first(ours) if uncertain else ours
        _or_withdraw(lambda: fence.posted(ts), lambda: slack.keep_first(ours), uncertain)
    else:
        fence.posted(ts)
    if uncertain and slack.charts(ts):
        fence.charted()
    else:
        fence.check()
        chart = slack.upload(message, ts)
        if uncertain:
            slack.keep_first_chart(ts, chart)
        _or_withdraw(fence.charted, lambda: slack.keep_first_chart(ts, chart), uncertain)
    return Outcome.RECOVERED if recovered else Outcome.POSTED


def _or_withdraw(
    record: Callable[[], None], withdraw: Callable[[], object], withdrawn: bool
) -> None:
    """Record our write; if the claim was taken over meanwhile, another owner may have made
    the same write: keep whichever came first, withdrawing ours if it was second (unless
    ``withdrawn``: we looked after writing already)."""
    try:
        record()
    except LeaseLost:
        if not withdrawn:
            withdraw()
        raise


@dataclass(frozen=True)
class _Slack:
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
