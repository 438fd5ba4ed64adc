"""What ctr-bot exports on /metrics (HTTP mode), besides the Sheets counters."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CTR_SECONDS = Histogram(
    "ctr_command_seconds",
    "Time /ctr takes to answer, from parsing the text to the acknowledgement (Bolt's own "
    "dispatch excluded)",
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
