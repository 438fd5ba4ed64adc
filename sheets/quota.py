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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Protocol

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


# Routine requests leave this many tokens for urgent ones (a due summary), where the bucket
# is big enough to hold them: within a process the scheduler's line puts a due summary first,
# across replicas sharing a ledger this reserve is what does.
URGENT_RESERVE = 1


@dataclass(frozen=True, slots=True)
class Bucket:
    """One quota as every ledger models it: a name every sharer agrees on, and its size.

    The one model of a bucket (burst, rate, level, wait, what a request needs), used by the
    in-process ledger and, as the same formulas in SQL, by the store's shared one.
    """

    name: str
    per_minute: int

    @property
    def burst(self) -> int:
        # A tenth of a minute's worth saved up: short bursts go at once, the rest is spread.
        return max(1, self.per_minute // 10)

    @property
    def rate(self) -> float:
        """Tokens a second: (per_minute - burst) a minute, so no 60 s exceed per_minute."""
        return max(self.per_minute - self.burst, 1) / WINDOW

    def need(self, priority: Priority) -> float:
        """Tokens that must be there for a request to go.

        Never more than the bucket holds: a reserve a small bucket can't keep would leave
        routine requests waiting forever (below 20 a minute the burst is a single token).

        >>> Bucket("b", 60).need(Priority.ROUTINE), Bucket("b", 10).need(Priority.ROUTINE)
        (2.0, 1.0)
        """
        if priority is Priority.URGENT:
            return 1.0
        return 1.0 + min(URGENT_RESERVE, self.burst - 1)

    def level(self, tokens: float, updated: float, now: float) -> float:
        """The tokens at ``now`` of a bucket that held ``tokens`` at ``updated``.

        A clock behind the bucket's (another replica's) adds nothing rather than taking away.
        """
        return min(float(self.burst), tokens + max(0.0, now - updated) * self.rate)

    def wait(self, tokens: float, updated: float, need: float, now: float) -> float:
        """Seconds until the bucket holds ``need`` tokens (0 if it does)."""
        return max(0.0, (need - self.level(tokens, updated, now)) / self.rate)


@dataclass
class TokenBucket:
    """A `Bucket`'s tokens kept in this process's memory."""

    spec: Bucket
    tokens: float = field(init=False)
    updated: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.tokens = float(self.spec.burst)

    def delay(self, now: float, need: float = 1.0) -> float:
        """Seconds until ``need`` tokens are there (0 if they are)."""
        return self.spec.wait(self.tokens, self._since(now), need, now)

    def take(self, now: float) -> None:
        self.tokens = self.spec.level(self.tokens, self._since(now), now) - 1
        self.updated = now if self.updated is None else max(self.updated, now)

    def _since(self, now: float) -> float:
        return now if self.updated is None else self.updated


class Ledger(Protocol):
    """Where the buckets' tokens are kept: in this process, or in a store replicas share."""

    def take(self, buckets: Sequence[Bucket], priority: Priority, now: float) -> float:
        """Take one token from every bucket and return 0, or take none and return the
        seconds until all may have one (another sharer may get there first)."""
        ...


class LocalLedger:
    """Buckets in this process's memory: one process is the only user of the account.

    Priority is the scheduler's line's business here, so ``priority`` is ignored.
    """

    def __init__(self) -> None:
        self._buckets: dict[str, TokenBucket] = {}

    def take(self, buckets: Sequence[Bucket], priority: Priority, now: float) -> float:
        held = [self._bucket(spec) for spec in buckets]
        delay = max(bucket.delay(now) for bucket in held)
        if delay <= 0:
            for bucket in held:
                bucket.take(now)
        return delay

    def _bucket(self, spec: Bucket) -> TokenBucket:
        bucket = self._buckets.get(spec.name)
        if bucket is None:
            bucket = self._buckets[spec.name] = TokenBucket(spec)
        return bucket


@dataclass(frozen=True, slots=True)
class Usage:
    """What the scheduler has seen: for logs, /metrics and `/ctr status`."""

    last_minute: dict[Kind, int]  # requests sent in the last 60 s, by kind
    limits: dict[Kind, int]  # per user, a minute
    waiting: int  # requests queued for a token now
    waits: int  # requests that had to wait, since start
    waited_seconds: float


class QuotaScheduler:
    """Token buckets per (user, kind) and per (project, kind), shared across threads.

    Threads queue by priority in this process; the tokens live in ``ledger``: this process's
    memory by default, or a store every replica of the bot shares (bot/store/quota.py).
    """

    def __init__(
        self,
        per_user: int = 60,
        per_project: int = PROJECT_PER_MINUTE,
        drive_per_minute: int = DRIVE_PER_MINUTE,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        ledger: Ledger | None = None,
    ) -> None:
        self.per_project = max(per_project, per_user)  # a project never allows its user less
        self.limits = {Kind.READ: per_user, Kind.WRITE: per_user, Kind.DRIVE: drive_per_minute}
        self.ledger: Ledger = ledger or LocalLedger()
        self.name_buckets("user", "project")
        self.clock, self.sleep = clock, sleep
        # How a request behind another in line waits for it to leave. A simulation in virtual
        # time (bench/simtime.py) replaces it: a real wait there would hold the simulation's
        # only running thread while the request ahead sleeps in virtual time, so neither moves.
        self.wait_in_line: Callable[[threading.Condition], object] = threading.Condition.wait
        self._cond = threading.Condition()
        self._queues: dict[Kind, list[tuple[Priority, int]]] = {kind: [] for kind in Kind}
        self._tickets = itertools.count()
        self._sent: dict[Kind, deque[float]] = {kind: deque() for kind in Kind}
        self.waits, self.waited_seconds = 0, 0.0

    def name_buckets(self, account: str, project: str) -> None:
        """Name the buckets after the service account and its project, as Google counts:
        replicas sharing a ledger then share the quota of the account they share."""
        user, per_project = self.limits[Kind.READ], self.per_project
        self._buckets = {
            kind: [
                Bucket(f"sheets-{kind}/user/{account}", user),
                Bucket(f"sheets-{kind}/project/{project}", per_project),
            ]
            for kind in (Kind.READ, Kind.WRITE)
        }
        self._buckets[Kind.DRIVE] = [Bucket(f"drive/user/{account}", self.limits[Kind.DRIVE])]

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
        queue, waited = self._queues[kind], 0.0
        while True:
            if queue[0] != ticket:
                self.wait_in_line(self._cond)  # whoever is ahead notifies when it leaves
                continue
            now = self.clock()
            # Only the head of a kind's line asks for that kind's tokens; with a shared
            # ledger another replica may still take them first, so a head that slept asks again.
            delay = self.ledger.take(self._buckets[kind], ticket[0], now)
            if delay <= 0:
                self._recent(kind, now).append(now)
                break
            # Sleep without the lock, so a more urgent request can join the line meanwhile.
            self._cond.release()
            delay += MARGIN
            try:
                self.sleep(delay)
            finally:
                self._cond.acquire()
            waited += delay
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
