"""Google's per-minute quotas, as the fake enforces them, on a virtual clock a test moves.

Sheets API v4: 60 read and 60 write requests a minute per user (a service account is one
user) and 300 of each per project; Drive has its own, far larger quota. A request beyond a
limit is refused with 429 and a Retry-After; refused requests don't count, as at Google.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

WINDOW = 60.0
START = datetime(2026, 11, 16, tzinfo=UTC).timestamp()  # a Monday, 00:00 UTC


class VirtualClock:
    """Seconds since the epoch that move only when told: hours of quota in no time.

    ``sleep`` advances it, so a client given it as its sleep waits in virtual time.
    """

    def __init__(self, now: float = START) -> None:
        self._now = now
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)

    sleep = advance

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self(), UTC)


class Kind(StrEnum):
    READ = "read"
    WRITE = "write"
    DRIVE = "drive"


@dataclass
class Limits:
    """Requests a minute; the defaults are Google's."""

    read_per_user: int = 60
    write_per_user: int = 60
    read_per_project: int = 300
    write_per_project: int = 300
    drive_per_user: int = 12_000
    drive_per_project: int = 12_000

    def of(self, kind: Kind, scope: str) -> int:
        limit: int = getattr(self, f"{kind}_per_{scope}")
        return limit


@dataclass
class FakeQuota:
    """Sliding one-minute windows per (user, kind) and per (project, kind)."""

    clock: VirtualClock = field(default_factory=VirtualClock)
    limits: Limits = field(default_factory=Limits)
    enabled: bool = True
    accepted: dict[tuple[str, Kind], int] = field(default_factory=dict)
    refused: dict[tuple[str, Kind], int] = field(default_factory=dict)
    _windows: dict[tuple[str, Kind], deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self, user: str, kind: Kind) -> int | None:
        """None if the request may go ahead (and it is counted), else seconds to retry after."""
        with self._lock:
            now = self.clock()
            keys = [((f"user:{user}"), "user"), ("project", "project")]
            waits = []
            for scope_key, scope in keys:
                window = self._window(scope_key, kind, now)
                if self.enabled and len(window) >= self.limits.of(kind, scope):
                    waits.append(window[0] + WINDOW - now)
            if waits:
                self.refused[(user, kind)] = self.refused.get((user, kind), 0) + 1
                return max(1, math.ceil(max(waits)))
            for scope_key, _ in keys:
                self._windows[(scope_key, kind)].append(now)
            self.accepted[(user, kind)] = self.accepted.get((user, kind), 0) + 1
            return None

    def refusals(self) -> int:
        return sum(self.refused.values())

    def _window(self, scope_key: str, kind: Kind, now: float) -> deque[float]:
        window = self._windows.setdefault((scope_key, kind), deque())
        while window and window[0] <= now - WINDOW:
            window.popleft()
        return window
