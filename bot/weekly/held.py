"""What this replica holds under a lease while it works, so a stop can give it back.

A summary being delivered, a sheet being synced, a Drive listing: each is a lease in the
store that other replicas wait out (5, 15 and 3 minutes). When ctr-bot stops and its
deadline passes with one of them unfinished, the process ends mid-way: ``release_all``
ends each such lease now (through the store's release, which names us as the owner, so a
lease another replica has since taken is left alone) and says what was left, so another
replica takes the work over at once instead of after the lease.

The work is wrapped in ``hold(what, release)``; finished work leaves the registry, and
with it nothing to release (a finished sheet's claim keeps other replicas from syncing it
again this interval, as it should).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


class Held:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[int, tuple[str, Callable[[], object]]] = {}
        self._next = 0

    @contextmanager
    def hold(self, what: str, release: Callable[[], object]) -> Iterator[None]:
        """``what`` (for the log) is held until the body ends; ``release`` gives it back."""
        with self._lock:
            token, self._next = self._next, self._next + 1
            self._held[token] = (what, release)
        try:
            yield
        finally:
            with self._lock:
                self._held.pop(token, None)

    def release_all(self) -> list[str]:
        """Give back everything still held (work left unfinished); returns what it was."""
        with self._lock:
            held, self._held = list(self._held.values()), {}
        for what, release in held:
            try:
                release()
            except Exception as error:  # the lease then runs out by itself, as before
                log.warning("could not release %s: %s", what, error)
        return [what for what, _ in held]


HELD = Held()  # this process's leases in flight (bot/lifecycle.py releases them on stop)
