"""Run every benchmark in bench/ (bench_*.py), one after another: `make bench`.

`--small` runs each on a small input (`make bench-small`, part of `make test`), so none can rot
unseen: a benchmark without a small mode here fails the run. Ctrl-C stops the one running; it
cleans up after itself (its PostgreSQL server and folders) and the run ends without a traceback.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
# Each benchmark's arguments for a run of a few seconds that still goes through every path.
SMALL = {
    "bench_baseline.py": ["--small", "--campaigns", "60"],
    "bench_burst.py": [
        "--sheets",
        "12",
        "--channels",
        "2",
        "--replicas",
        "2",
        "--edits",
        "0.1",
        "--database",
        "sqlite",
    ],
    "bench_bot.py": ["--requests", "40", "--client", "python", "--rounds", "1"],
    "bench_csv.py": ["--rows", "500", "--repeat", "1"],
    "bench_oauth.py": ["--requests", "40"],
    "bench_quota.py": [
        "--edits",
        "0.1",  # 3 of the 30 sheets an interval: the freshness goal has edits to judge
        "--sheets",
        "30",
        "--hours",
        "0.5",
        "--replicas",
        "2",
        "--database",
        "sqlite",
    ],
    "bench_sheets.py": ["--sizes", "200", "--naive-rows", "20"],
    "bench_summary.py": ["--campaigns", "20", "--weeks", "6"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="small inputs: a check, not figures")
    parser.add_argument("--only", metavar="bench_NAME.py", help="run this benchmark alone")
    args = parser.parse_args(argv)
    small = args.small
    scripts = sorted(HERE.glob(args.only or "bench_*.py"))
    missing = [script.name for script in scripts if script.name not in SMALL]
    if small and missing:
        print(f"bench: no small mode for {', '.join(missing)}: add it to SMALL in bench/run.py")
        return 1
    failures = []
    for script in scripts:
        extra = SMALL[script.name] if small else []
        print(f"\n=== {script.name} {' '.join(extra)} ===", flush=True)
        started = time.monotonic()
        code = _run([sys.executable, str(script), *extra])
        if code in (-signal.SIGINT, 130):
            print("\nbench: interrupted; the running benchmark cleaned up after itself.")
            return 130
        if code:
            failures.append(script.name)
        print(f"({script.name}: {time.monotonic() - started:.1f} s, exit {code})", flush=True)
    if failures:
        print(f"bench: failed: {', '.join(failures)}")
    return 1 if failures else 0


def _run(command: list[str]) -> int:
    """The benchmark's exit code; on Ctrl-C (which it gets too) wait while it cleans up."""
    process = subprocess.Popen(command)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue  # the child got the same SIGINT: let it finish its cleanup


if __name__ == "__main__":
    sys.exit(main())
