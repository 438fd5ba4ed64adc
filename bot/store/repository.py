"""The store as a whole: one repository per aggregate, built on one engine and clock.

Only entry points (bot/compose.py) hold a Store; each part of the bot is handed the narrow
repositories it uses, so what a part can write is visible in its fields.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from sqlalchemy import Engine

from bot.store.deliveries import Deliveries
from bot.store.history import History
from bot.store.quota import StoreLedger
from bot.store.records import Clock, utc_now
from bot.store.syncs import SheetSyncs
from bot.store.watches import Watches


class Store:
    """The bot's tables, by aggregate."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock = utc_now,
        *,
        jitter: Callable[[], float] = random.random,  # the quota's waits (bot/store/quota.py)
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.watches = Watches(engine, clock)
        self.history = History(engine, clock)
        self.syncs = SheetSyncs(engine, clock)
        self.deliveries = Deliveries(engine, clock)
        # Google's quota buckets, shared with every replica using this database.
        self.quota = StoreLedger(engine, jitter=jitter)
