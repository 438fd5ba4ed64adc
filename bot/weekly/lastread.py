"""The sync's last read of each watched sheet, for a summary to reuse while Drive says the
sheet is still that version: a summary right after a sync costs a Drive call, not a read."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sheets.api import Cell, Layout

DEFAULT_SIZE = 2_000  # sheets kept (least recently synced dropped first)


@dataclass(frozen=True, slots=True)
class LastRead:
    key: str  # the spreadsheet
    version: str | None  # Drive's modifiedTime the grid is known to show; None: unknown
    grid: Sequence[Sequence[Cell]]
    layout: Layout  # found by the sync with the read's formulas and marks
    title: str
    # We wrote after choosing the version: the grid shows our write's version, which the next
    # pass learns from Drive (retag) without reading.
    own_write: bool = False


class LastReads:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._reads: OrderedDict[str, LastRead] = OrderedDict()  # by sheet URL (a tab)
        self._lock = threading.Lock()

    def put(self, url: str, read: LastRead) -> None:
        with self._lock:
            self._reads[url] = read
            self._reads.move_to_end(url)
            while len(self._reads) > self.size:
                self._reads.popitem(last=False)

    def get(self, url: str) -> LastRead | None:
        with self._lock:
            return self._reads.get(url)

    def retag(self, key: str, version: str) -> None:
        """Our own write to ``key`` is Drive's ``version``: reads taken after it show it."""
        with self._lock:
            for url, read in self._reads.items():
                if read.key == key and read.own_write:
                    self._reads[url] = replace(read, version=version, own_write=False)
