"""Counters of the syncs and their Google Sheets traffic, exported by ctr-bot's /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

API_CALLS = Counter("ctr_sheets_api_calls", "Requests sent to the Google Sheets API")
RETRIES = Counter("ctr_sheets_api_retries", "Sheets API requests retried after a 429 or 5xx")
QUOTA_WAITS = Counter("ctr_sheets_quota_waits", "Times a request waited to stay under quota")
QUOTA_WAIT_SECONDS = Counter("ctr_sheets_quota_wait_seconds", "Time spent waiting for quota")
SYNCS = Counter(
    "ctr_sheet_syncs",
    "Sheet syncs run, by result (ok, or failed: nothing more written)",
    ["result"],
)
SYNC_ROWS = Counter(
    "ctr_sheet_sync_rows", "Data rows synced, by what they got (a CTR, or flagged)", ["kind"]
)
QUOTA_REQUESTS = Counter(
    "ctr_sheets_quota_requests", "Requests let through by the quota scheduler", ["kind"]
)
QUOTA_WAITING = Gauge(
    "ctr_sheets_quota_waiting", "Requests waiting for a quota token now", ["kind"]
)
SYNC_BACKLOG = Gauge(
    "ctr_sheets_sync_backlog",
    "Watched sheets due a sync that the last pass could not reach within its interval",
)


class Outcomes:
    """Whether Google's APIs (Sheets, Drive) answered the last request, for /healthz.

    The client records each request's outcome here (thread-safe by the GIL: one dict write);
    a remote failure stays until the same API answers again.
    """

    def __init__(self) -> None:
        self._failing: dict[str, str] = {}

    def ok(self, api: str) -> None:
        self._failing.pop(api, None)

    def failed(self, api: str, reason: str) -> None:
        self._failing[api] = reason

    def reason(self) -> str | None:
        """None while every API answers; else each failing one with its reason."""
        failing = dict(self._failing)
        return "; ".join(f"{api}: {why}" for api, why in sorted(failing.items())) or None


GOOGLE = Outcomes()
