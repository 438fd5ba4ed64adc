"""One `ctr-bot` replica's summary loop, as a real process for the exactly-once tests.

python -m tests.bot.weekly.replica DATABASE_URL SLACK_API_URL OWNER LEASE_S PASSES INTERVAL_S
Prints one JSON line per outcome.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta

from slack_sdk import WebClient

from bot.store.engine import connect, migrate
from bot.store.repository import Store, utc_now
from bot.weekly.scheduler import SummaryScheduler
from tests.bot.weekly.conftest import CannedSource
from tests.fakes.slack_api import BOT_TOKEN


def main(argv: list[str]) -> None:
    database, api_url, owner, lease, passes, interval = argv
    engine = connect(database)
    migrate(engine)
    scheduler = SummaryScheduler(
        store=Store(engine),
        client=WebClient(token=BOT_TOKEN, base_url=api_url),
        source=CannedSource(),
        owner=owner,
        clock=utc_now,
        lease=timedelta(seconds=float(lease)),
    )
    for _ in range(int(passes)):
        for watch_id, outcome in scheduler.run_due().items():
            print(json.dumps({"owner": owner, "watch": watch_id, "outcome": outcome}), flush=True)
        time.sleep(float(interval))


if __name__ == "__main__":
    main(sys.argv[1:])
