"""Why this replica is degraded, for /healthz and /metrics: the loops report here, the server
reads it (one small hook, so the server needs no knowledge of Drive or the scheduler)."""

from __future__ import annotations

import threading

from prometheus_client import Gauge

DEGRADED = Gauge(
    "ctr_degraded",
    "1 while a part of the bot is failing (by part, e.g. drive_changes), else 0",
    ["part"],
)
_reasons: dict[str, str] = {}
_lock = threading.Lock()


def report_degraded(part: str, reason: str | None) -> None:
    """``reason`` None: ``part`` works again."""
    with _lock:
        if reason is None:
            _reasons.pop(part, None)
        else:
            _reasons[part] = reason
    DEGRADED.labels(part).set(0 if reason is None else 1)


def degraded_reasons() -> dict[str, str]:
    """Each failing part and why, for /healthz (empty when all is well)."""
    with _lock:
        return dict(_reasons)


def with_degraded(body: dict[str, str]) -> dict[str, object]:
    """/healthz's body with what is failing: still 200 (restarting fixes none of it, and the
    replica still answers /ctr and posts summaries), but "status": "degraded" says so.

    >>> report_degraded("doc", "example"); with_degraded({"status": "ok"})["status"]
    'degraded'
    >>> report_degraded("doc", None)
    """
    reasons = degraded_reasons()
    if not reasons:
        return dict(body)
    return body | {"status": "degraded", "degraded": reasons}
