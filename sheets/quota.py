"""Google's per-minute quotas as token buckets, shared by every thread that uses one client.

The Sheets API allows 60 read and 60 write requests a minute per user (a service account is
one user) and 300 of each per project; Drive's quota is separate and far larger. Each request
takes a token from its user bucket and its project bucket, waiting (an injected sleep) until
both have one. Waiters queue by priority, then arrival: a summary due now goes before the
routine sync's next read.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from sheets import metrics

WINDOW = 60.0
# A millisecond more than the computed wait: float clocks (epoch seconds) round, and a request
# a hair early would be the 61st in Google's minute.
MARGIN = 0.001
PROJECT_PER_MINUTE = 300  # Google's default per project, for reads and for writes
DRIVE_PER_MINUTE = 1_200  # a tenth of Drive's 12,000: listing changes needs few


class Kind(StrEnum):
    READ = "read"
    WRITE = "write"
    DRIVE = "drive"


class Priority(IntEnum):
    URGENT = 0  # a summary due now
    ROUTINE = 1  # keeping watched sheets in sync


_PRIORITY: ContextVar[Priority] = ContextVar("quota_priority", default=Priority.ROUTINE)


@contextmanager
def urgent() -> Iterator[None]:
    """Requests made inside go ahead of routine ones waiting for the same quota."""
    token = _PRIORITY.set(Priority.URGENT)
    try:
        yield
    finally:
        _PRIORITY.reset(token)


def classify(method: str, url: str) -> Kind:
    """Which quota a request counts against, as Google counts them.

    >>> classify("get", "https://sheets.googleapis.com/v4/spreadsheets/k")
    <Kind.READ: 'read'>
    >>> classify("post", "https://sheets.googleapis.com/v4/spreadsheets/k:getByDataFilter")
    <Kind.READ: 'read'>
    >>> classify("put", "https://sheets.googleapis.com/v4/spreadsheets/k/values/A1")
    <Kind.WRITE: 'write'>
    >>> classify("get", "https://www.googleapis.com/drive/v3/files")
    <Kind.DRIVE: 'drive'>
    """
    path = url.split("?", 1)[0]
    if "/drive/v3/" in path:
        return Kind.DRIVE
    if method.upper() == "GET" or path.endswith((":getByDataFilter", ":batchGetByDataFilter")):
        return Kind.READ
    return Kind.WRITE


@dataclass
class TokenBucket:
    """``per_minute`` tokens a minute, at most ``burst`` saved up.

    It refills at (per_minute - burst) a minute, so no 60 seconds ever hold more than
    ``per_minute`` requests, however they are spread: Google's windows are never overrun.
    """

    per_minute: int
    burst: int
    tokens: float = field(init=False)
    updated: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.burst = max(1, min(self.burst, self.per_minute))
        self.tokens = float(self.burst)
        self.rate = max(self.per_minute - self.burst, 1) / WINDOW

    def delay(self, now: float) -> float:
        """Seconds until a token is there (0 if one is)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1

    def _refill(self, now: float) -> None:
        if self.updated is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now


@dataclass(frozen=True, slots=True)
class Usage:
    """What the scheduler has seen: for logs, /metrics and `/ctr status`."""

    last_minute: dict[Kind, int]  # requests sent in the last 60 s, by kind
    limits: dict[Kind, int]  # per user, a minute
    waiting: int  # requests queued for a token now
    waits: int  # requests that had to wait, since start
    waited_seconds: float


class QuotaScheduler:
    """Token buckets per (user, kind) and per (project, kind), shared across threads."""

    def __init__(
        self,
        per_user: int = 60,
        per_project: int = PROJECT_PER_MINUTE,
        drive_per_minute: int = DRIVE_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        per_project = max(per_project, per_user)  # a project never allows its user less
        self.limits = {Kind.READ: per_user, Kind.WRITE: per_user, Kind.DRIVE: drive_per_minute}
        self._buckets = {
            Kind.READ: [_bucket(per_user), _bucket(per_project)],
            Kind.WRITE: [_bucket(per_user), _bucket(per_project)],
            Kind.DRIVE: [_bucket(drive_per_minute)],
        }
        self.clock, self.sleep = clock, sleep
        self._cond = threading.Condition()
        self._queues: dict[Kind, list[tuple[Priority, int]]] = {kind: [] for kind in Kind}
        self._tickets = itertools.count()
        self._sent: dict[Kind, deque[float]] = {kind: deque() for kind in Kind}
        self.waits, self.waited_seconds = 0, 0.0

    def acquire(self, kind: Kind) -> None:
        """Block until a request of ``kind`` may go: first in line (by priority) with a token."""
        ticket = (_PRIORITY.get(), next(self._tickets))
        queue = self._queues[kind]
        with self._cond:
            heapq.heappush(queue, ticket)
            metrics.QUOTA_WAITING.labels(kind).inc()
            try:
                self._wait_for_turn(kind, ticket)
            finally:
                queue.remove(ticket)
                heapq.heapify(queue)
                metrics.QUOTA_WAITING.labels(kind).dec()
                self._cond.notify_all()

    def usage(self) -> Usage:
        with self._cond:
            now = self.clock()
            return Usage(
                last_minute={kind: len(self._recent(kind, now)) for kind in Kind},
                limits=dict(self.limits),
                waiting=sum(len(queue) for queue in self._queues.values()),
                waits=self.waits,
                waited_seconds=self.waited_seconds,
            )

    def _wait_for_turn(self, kind: Kind, ticket: tuple[Priority, int]) -> None:
        queue, waited, slept = self._queues[kind], 0.0, False
        while True:
            if queue[0] != ticket:
                self._cond.wait()  # whoever is ahead notifies when it leaves the line
                slept = False
                continue
            now = self.clock()
            delay = max(bucket.delay(now) for bucket in self._buckets[kind])
            # Only the head of a kind's line takes that kind's tokens, so a head that slept
            # its delay has them (a float clock may leave a hair missing: not worth a loop).
            if delay <= 0 or slept:
                for bucket in self._buckets[kind]:
                    bucket.take(now)
                self._recent(kind, now).append(now)
                break
            # Sleep without the lock, so a more urgent request can join the line meanwhile.
            self._cond.release()
            delay += MARGIN
            try:
                self.sleep(delay)
            finally:
                self._cond.acquire()
            waited, slept = waited + delay, True
        if waited:
            self.waits += 1
            self.waited_seconds += waited
            metrics.QUOTA_WAITS.inc()
            metrics.QUOTA_WAIT_SECONDS.inc(waited)
        metrics.QUOTA_REQUESTS.labels(kind).inc()

    def _recent(self, kind: Kind, now: float) -> deque[float]:
        sent = self._sent[kind]
        while sent and sent[0] <= now - WINDOW:
            sent.popleft()
        return sent


def _bucket(per_minute: int) -> TokenBucket:
    # A tenth of a minute's worth saved up: short bursts go at once, the rest is spread.
    return TokenBucket(per_minute, burst=per_minute // 10)
