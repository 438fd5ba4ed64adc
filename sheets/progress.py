"""Progress on a long sync: a port the CLI fills with tqdm on a terminal, and nothing elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Bar(Protocol):
    """One phase's progress (tqdm's bar fits): advanced by ``update(n)``, ended by ``close()``."""

    def update(self, n: int) -> object: ...

    def close(self) -> None: ...


# (what is being done, its total, the unit counted) -> a bar; e.g. ("reading", 26_000_000, "B")
Meter = Callable[[str, int, str], Bar]
