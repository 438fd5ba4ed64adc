"""/healthz's registry: every part that can fail says so here, with the reason in its words.

Parts either *report* (``health.report("drive", "Drive answered 503")`` / ``report("drive",
None)`` when it works again) or are *probed* when /healthz is asked (``health.probe("database",
check)``, where ``check`` returns None or the reason). Any failing part makes the whole
"degraded" (HTTP 503), so a load balancer or an orchestrator sees what a person would.

Other modules use the process's one registry, ``HEALTH``: e.g. a Drive feed calls
``HEALTH.report("drive", reason)`` on failure and ``HEALTH.report("drive", None)`` on success.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)
Probe = Callable[[], str | None]


class Health:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reports: dict[str, str | None] = {}
        self._probes: dict[str, Probe] = {}
        self.state = "starting"  # "starting", "serving", "stopping"

    def report(self, part: str, reason: str | None) -> None:
        """``part`` is failing for ``reason`` (None: it works). Changes are logged once."""
        with self._lock:
            before = self._reports.get(part, "unset")
            self._reports[part] = reason
        if reason != before and reason is not None:
            log.warning("degraded", extra={"part": part, "reason": reason})
        elif before not in (None, "unset") and reason is None:
            log.info("recovered", extra={"part": part})

    def probe(self, part: str, check: Probe) -> None:
        with self._lock:
            self._probes[part] = check

    def forget(self, part: str) -> None:
        with self._lock:
            self._reports.pop(part, None)
            self._probes.pop(part, None)

    def status(self) -> tuple[bool, dict[str, str]]:
        """(healthy, body): body maps each part to "ok" or its reason, plus "status"."""
        with self._lock:
            reports, probes = dict(self._reports), dict(self._probes)
        parts = {part: reason or "ok" for part, reason in reports.items()}
        for part, check in probes.items():
            try:
                reason = check()
            except Exception as error:  # a probe's own failure is that part failing
                reason = f"{type(error).__name__}: {error}"
            parts[part] = reason or "ok"
        healthy = self.state == "serving" and all(value == "ok" for value in parts.values())
        status = "ok" if healthy else "degraded" if self.state == "serving" else self.state
        return healthy, {"status": status, **dict(sorted(parts.items()))}


HEALTH = Health()
