"""/healthz's registry: every part that can fail says so here, with the reason in its words.

Parts either *report* (``report_degraded("drive_changes", reason)``, or ``HEALTH.report``;
``None`` when it works again) or are *probed* when /healthz is asked (``HEALTH.probe("database",
check)``, where ``check`` returns None or the reason). The server needs no knowledge of Drive or
the scheduler: it reads the registry.

The answer: 200 ``{"status": "ok", part: "ok", ...}`` while all is well; with a part failing,
``"status": "degraded"`` and the reasons under ``"degraded"``. Only a *critical* part (the
database, the Slack connection) makes it 503, as do starting and stopping: a restart or
another replica can help there, while a failing Drive feed or Google is the same for every
replica (restarting fixes none of it, and this one still answers /ctr).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from prometheus_client import Gauge

log = logging.getLogger(__name__)
Probe = Callable[[], str | None]
DEGRADED = Gauge(
    "ctr_degraded",
    "1 while a part of the bot is failing (by part, e.g. drive_changes), else 0",
    ["part"],
)


class Health:
    def __init__(self, parent: Health | None = None) -> None:
        self._lock = threading.Lock()
        self._reports: dict[str, str | None] = {}
        self._probes: dict[str, Probe] = {}
        self._critical: set[str] = set()
        self._parent = parent  # its parts count too (the process's registry)
        self.state = "starting"  # "starting", "serving", "stopping"

    def report(self, part: str, reason: str | None, *, critical: bool = False) -> None:
        """``part`` is failing for ``reason`` (None: it works). Changes are logged once."""
        with self._lock:
            before = self._reports.get(part, "unset")
            self._reports[part] = reason
            if critical:
                self._critical.add(part)
        DEGRADED.labels(part).set(0 if reason is None else 1)
        if reason != before and reason is not None:
            log.warning("degraded", extra={"part": part, "reason": reason})
        elif before not in (None, "unset") and reason is None:
            log.info("recovered", extra={"part": part})

    def probe(self, part: str, check: Probe, *, critical: bool = False) -> None:
        with self._lock:
            self._probes[part] = check
            if critical:
                self._critical.add(part)

    def forget(self, part: str) -> None:
        with self._lock:
            self._reports.pop(part, None)
            self._probes.pop(part, None)

    def parts(self) -> tuple[dict[str, str], set[str]]:
        """(each part -> "ok" or its reason, the critical parts), the parent's included."""
        parts, critical = self._parent.parts() if self._parent is not None else ({}, set())
        with self._lock:
            reports, probes = dict(self._reports), dict(self._probes)
            critical |= self._critical
        parts |= {part: reason or "ok" for part, reason in reports.items()}
        for part, check in probes.items():
            try:
                reason = check()
            except Exception as error:  # a probe's own failure is that part failing
                reason = f"{type(error).__name__}: {error}"
            parts[part] = reason or "ok"
        return parts, critical

    def status(self) -> tuple[bool, dict[str, object]]:
        """(answer 200?, body): the state or "ok"/"degraded", each part, and what fails."""
        parts, critical = self.parts()
        failing = {part: reason for part, reason in parts.items() if reason != "ok"}
        if self.state != "serving":
            return False, {"status": self.state, **dict(sorted(parts.items()))}
        body: dict[str, object] = {"status": "degraded" if failing else "ok"}
        body |= dict(sorted(parts.items()))
        if failing:
            body["degraded"] = failing
        return not (set(failing) & critical), body


HEALTH = Health()


def report_degraded(part: str, reason: str | None) -> None:
    """``reason`` None: ``part`` works again (the process's registry)."""
    HEALTH.report(part, reason)


def degraded_reasons() -> dict[str, str]:
    """Each failing part and why, for /healthz (empty when all is well)."""
    parts, _ = HEALTH.parts()
    return {part: reason for part, reason in parts.items() if reason != "ok"}
