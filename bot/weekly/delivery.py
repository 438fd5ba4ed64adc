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
from datetime import datetime, timedelta
from enum import StrEnum

from slack_sdk import WebClient

from bot.store.deliveries import Deliveries
from bot.store.lease import Lease, LeaseLost
from bot.store.records import Claim
from bot.weekly.held import HELD
from bot.weekly.pacing import Pace, unpaced
from bot.weekly.posts import ChannelPosts, Rendered, Target

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=5)


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
    slack = ChannelPosts(client, target, since, pace)
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
    slack: ChannelPosts, fence: Fence, claim: Claim, render: Callable[[], Rendered]
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
