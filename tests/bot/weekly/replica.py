"""One `ctr-bot` replica's summary loop as a real process, built from settings as ctr-bot is.

python -m tests.bot.weekly.replica OWNER LEASE_S NOW OFFSET_S
Settings (Slack, Google, DATABASE_URL) come from the environment. The replica's clock starts
at NOW (ISO) plus OFFSET_S seconds and runs at real speed: a test makes one replica live
"after another's lease ran out" by giving it a larger offset, instead of waiting for it. One
pass over the watches; prints one JSON line per outcome.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime, timedelta

from bot.app import make_client
from bot.settings import Settings
from bot.weekly.runtime import build_weekly


def main(argv: list[str]) -> None:
    owner, lease, now, offset = argv
    start, started = (
        datetime.fromisoformat(now) + timedelta(seconds=float(offset)),
        time.monotonic(),
    )

    def clock() -> datetime:
        return start + timedelta(seconds=time.monotonic() - started)

    settings = Settings.from_env(os.environ)
    weekly = build_weekly(settings, make_client(settings), clock)
    assert weekly is not None, "GOOGLE_APPLICATION_CREDENTIALS must be set"
    scheduler = weekly.scheduler
    scheduler.owner, scheduler.lease = owner, timedelta(seconds=float(lease))
    for watch_id, outcome in scheduler.run_due().items():
        print(json.dumps({"owner": owner, "watch": watch_id, "outcome": outcome}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
