"""The daemon loops' shared shape: run a job now and every N seconds until told to stop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


def run_every(stop: threading.Event, seconds: float, job: Callable[[], object], what: str) -> None:
    """Run ``job`` until ``stop`` is set; a failing run is logged and never ends the loop."""
    while not stop.is_set():
        try:
            job()
        except Exception:  # the loop's edge: keep the bot alive, try again next time
            log.exception("%s failed", what)
        stop.wait(seconds)
