"""Slack calls spread within Slack's published rate limits, so a Monday burst meets no 429.

Slack's limits (https://docs.slack.dev/apis/web-api/rate-limits, each method's page):
chat.postMessage about 1 a second per channel; Tier 4 (100 a minute, per workspace):
files.getUploadURLExternal and files.completeUploadExternal; Tier 3 (50 a minute):
conversations.history, conversations.replies, chat.delete, files.delete. (Apps sold outside
the Slack Marketplace and created since 29 May 2025 get 1 a minute for history and replies;
ctr-bot is installed by a team for itself and keeps Tier 3. Delivery calls them only to
recover, bot/weekly/delivery.py.)

Each limit is a token bucket holding one token (no bursts of our own, so Slack's "short
bursts" allowance is left for people's /ctr answers), refilled at the published rate. The
buckets live in a `Ledger`: the store's when replicas share a workspace (bot/store/quota.py),
so three replicas together send what one may. `limits_for` and the bucket arithmetic are
pure; `SlackPacer` is the shell that waits. Slack's own 429 + Retry-After, should one still
come (another app on the token, a limit lowered), is honoured by `RetryAfter`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any, TypeVar

from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from sheets.api import Bucket, Ledger, Priority

log = logging.getLogger(__name__)
T = TypeVar("T")

PER_CHANNEL = {"chat.postMessage": 60}  # a minute, in each channel
PER_WORKSPACE = {
    "files.getUploadURLExternal": 100,  # Tier 4
    "files.completeUploadExternal": 100,
    "conversations.history": 50,  # Tier 3
    "conversations.replies": 50,
    "chat.delete": 50,
    "files.delete": 50,
}
MIN_WAIT = 0.001  # seconds
# What one files_upload_v2 call sends (its PUT of the bytes is not a Web API method).
UPLOAD = ("files.getUploadURLExternal", "files.completeUploadExternal")


@dataclass(frozen=True, slots=True)
class SlackLimit(Bucket):
    """One published limit as a quota bucket: one token, ``per_minute`` in 61 seconds (a
    hair under the limit, so rounding in either clock never tips a call over it)."""

    @property
    def burst(self) -> int:
        return 1

    @property
    def rate(self) -> float:
        return self.per_minute / 61.0


def limits_for(method: str, team: str, channel: str) -> list[Bucket]:
    """The buckets a call to ``method`` in ``channel`` of workspace ``team`` takes a token
    from (none: unpaced). Slack counts an app's calls per workspace, so with OAuth installs
    one workspace's burst never waits on another's budget.

    >>> [b.name for b in limits_for("chat.postMessage", "T1", "C1")]
    ['slack:T1:chat.postMessage:C1']
    >>> [b.name for b in limits_for("files.completeUploadExternal", "T2", "C1")]
    ['slack:T2:files.completeUploadExternal']
    """
    if method in PER_CHANNEL:
        return [SlackLimit(f"slack:{team}:{method}:{channel}", PER_CHANNEL[method])]
    if method in PER_WORKSPACE:
        return [SlackLimit(f"slack:{team}:{method}", PER_WORKSPACE[method])]
    return []


def by_turns(items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """``items`` with each ``key`` (channel) taking turns, in first-seen order: a channel's
    posts go one a second, so a run of one channel's summaries would wait while the other
    channels' could go.

    >>> by_turns(["a1", "a2", "a3", "b1", "c1", "c2"], key=lambda s: s[0])
    ['a1', 'b1', 'c1', 'a2', 'c2', 'a3']
    """
    queues: dict[str, list[T]] = {}
    for item in items:
        queues.setdefault(key(item), []).append(item)
    rounds = zip_longest(*queues.values(), fillvalue=_GAP)
    return [item for turn in rounds for item in turn if item is not _GAP]


_GAP: Any = object()


class SlackPacer:
    """Waits before each Slack call until its limits allow it (``clock``/``sleep``: seconds)."""

    def __init__(
        self, ledger: Ledger, clock: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        self._ledger, self._clock, self._sleep = ledger, clock, sleep
        self.waited = 0.0  # seconds spent waiting, since start

    def __call__(self, method: str, team: str, channel: str) -> None:
        buckets = limits_for(method, team, channel)
        if not buckets:
            return
        while (wait := self._ledger.take(buckets, Priority.URGENT, self._clock())) > 0:
            wait = max(wait, MIN_WAIT)  # a wait below the clock's resolution would spin
            self.waited += wait
            self._sleep(wait)


Pace = Callable[[str, str, str], None]  # (method, workspace, channel)


def unpaced(method: str, team: str, channel: str) -> None:
    """No pacing (a one-off post from the CLI, tests of other things)."""


class RetryAfter(RateLimitErrorRetryHandler):
    """slack_sdk's 429 retry, waiting exactly Retry-After on an injectable ``sleep``."""

    def __init__(self, max_retry_count: int = 2, sleep: Callable[[float], None] | None = None):
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if self._sleep is None or response is None:
            super().prepare_for_next_attempt(
                state=state, request=request, response=response, error=error
            )
            return
        state.next_attempt_requested = True
        self._sleep(retry_after(response.headers))
        state.increment_current_attempt()


def retry_after(headers: dict[str, Any]) -> float:
    """Slack's Retry-After in seconds (1 when missing or unreadable)."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(0.0, float(raw))
            except (TypeError, ValueError):
                break
    return 1.0
