"""The benchmarks' entry point: Ctrl-C ends one with a line and exit 130, never a traceback.

Cleanup still happens: KeyboardInterrupt unwinds through the benchmark's ``with`` blocks (its
fake servers, temporary folders, PostgreSQL server) before it reaches this edge.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def run_main(main: Callable[[], object]) -> None:
    try:
        main()
    except KeyboardInterrupt:
        print(f"\n{Path(sys.argv[0]).name}: interrupted", file=sys.stderr)
        sys.exit(130)
