"""Weekly summaries inside `ctr-bot`: build the parts once and run their loops in threads."""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.compose import open_store
from bot.settings import Settings
from bot.store.repository import Clock, Store, utc_now
from bot.weekly.access import GoogleSheetAccess
from bot.weekly.commands import WatchCommands
from bot.weekly.every import run_every
from bot.weekly.scheduler import SummaryScheduler
from bot.weekly.source import SheetReportSource, record_snapshot
from core.errors import CtrError
from sheets.client import make_client
from sheets.sync import sync

log = logging.getLogger(__name__)


@dataclass
class WatchedSheetsSync:
    """Keeps every watched sheet's CTR columns filled in, and records running-total snapshots."""

    store: Store
    access: GoogleSheetAccess
    clock: Clock = utc_now

    def run_once(self) -> int:
        """Sync each watched sheet once; returns how many synced. Errors are logged, not fatal."""
        synced = 0
        for url, zone in {
            (w.sheet_url, w.timezone) for w in self.store.watches() if not w.paused_reason
        }:
            try:
                self._sync(url, zone)
                synced += 1
            except CtrError as error:  # the per-sheet edge: one sheet never stops the others
                log.warning("sync of %s failed: %s", url, error)
            except Exception:
                log.exception("sync of %s crashed", url)
        return synced

    def run_forever(self, stop: threading.Event, every: float) -> None:
        run_every(stop, every, self.run_once, "watched-sheet sync pass")

    def _sync(self, url: str, zone: str) -> None:
        backend = self.access.open(url)
        result = sync(backend)  # its last read is the sheet as it now stands: no second read
        today = self.clock().astimezone(ZoneInfo(zone)).date()
        record_snapshot(self.store, backend.key, result.grid, result.layout, today)


@dataclass
class Weekly:
    commands: WatchCommands
    scheduler: SummaryScheduler
    syncer: WatchedSheetsSync
    sync_every: float

    def start(self, stop: threading.Event) -> list[threading.Thread]:
        threads = [
            threading.Thread(
                target=self.scheduler.run_forever,
                args=(stop,),
                name="weekly-summaries",
                daemon=True,
            ),
            threading.Thread(
                target=self.syncer.run_forever,
                args=(stop, self.sync_every),
                name="sheet-sync",
                daemon=True,
            ),
        ]
        for thread in threads:
            thread.start()
        return threads


def build_weekly(settings: Settings, client: WebClient, clock: Clock = utc_now) -> Weekly | None:
    """None when Google isn't configured: /ctr still works, watch commands explain why not."""
    if settings.sheets.credentials is None:
        return None
    sheets_client, service_account = make_client(settings.sheets)
    store = open_store(settings, clock)
    access = GoogleSheetAccess(sheets_client, service_account)
    source = SheetReportSource(
        lambda watch: access.open(watch.sheet_url), store, clock, settings.summary_min_impressions
    )
    owner = f"{socket.gethostname()}-{os.getpid()}-{datetime.now().timestamp():.0f}"
    return Weekly(
        commands=WatchCommands(client, store, access, settings.ctr_admins),
        scheduler=SummaryScheduler(
            store=store, client=client, source=source, owner=owner, clock=clock
        ),
        syncer=WatchedSheetsSync(store, access, clock),
        sync_every=settings.sync_interval_minutes * 60,
    )
