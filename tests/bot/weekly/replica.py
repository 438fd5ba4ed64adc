"""One `ctr-bot` replica's summary loop as a real process, built from settings as ctr-bot is.

python -m tests.bot.weekly.replica OWNER LEASE_S PASSES INTERVAL_S
Settings (Slack, Google, DATABASE_URL) come from the environment. Prints one JSON line per
outcome.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import timedelta

from bot.app import make_client
from bot.settings import Settings
from bot.weekly.runtime import build_weekly


def main(argv: list[str]) -> None:
    owner, lease, passes, interval = argv
    settings = Settings.from_env(os.environ)
    weekly = build_weekly(settings, make_client(settings))
    assert weekly is not None, "GOOGLE_APPLICATION_CREDENTIALS must be set"
    scheduler = weekly.scheduler
    scheduler.owner, scheduler.lease = owner, timedelta(seconds=float(lease))
    for _ in range(int(passes)):
        for watch_id, outcome in scheduler.run_due().items():
            print(json.dumps({"owner": owner, "watch": watch_id, "outcome": outcome}), flush=True)
        time.sleep(float(interval))


if __name__ == "__main__":
    main(sys.argv[1:])
