"""What ctr-bot exports on /metrics (HTTP mode), besides the Sheets counters."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from prometheus_client import Counter, Histogram
from slack_bolt import BoltResponse

CTR_SECONDS = Histogram(
    "ctr_command_seconds",
    "Time to answer a /ctr slash command (the answer rides in the acknowledgement)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3),
)


SUMMARIES = Counter(
    "ctr_weekly_summaries",
    "Weekly summaries due, by outcome: posted, recovered (a dead replica's post finished), "
    "elsewhere (another replica has it), failed; by workspace (its team id)",
    ["outcome", "team"],
)


FEED_FAILURES = Counter(
    "ctr_drive_change_feed_failures",
    "Drive change listings that failed (the Drive API disabled, Drive down): watched sheets "
    "are read on a slower schedule meanwhile",
)


def time_commands(request: Any, next: Callable[[], BoltResponse]) -> BoltResponse:
    """Bolt middleware: /ctr latency, from the request reaching Bolt to its response."""
    if request.body.get("command") != "/ctr":
        return next()
    started = time.perf_counter()
    try:
        return next()
    finally:
        CTR_SECONDS.observe(time.perf_counter() - started)
