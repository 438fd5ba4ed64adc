"""Weekly summaries inside `ctr-bot`: build the parts once and run their loops in threads."""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.compose import google_client, open_store
from bot.settings import Settings
from bot.store.records import Clock, utc_now
from bot.store.repository import Store
from bot.weekly.access import GoogleSheetAccess
from bot.weekly.campaigns import CampaignHistory
from bot.weekly.commands import WatchCommands
from bot.weekly.pacing import SlackPacer
from bot.weekly.scheduler import SummaryScheduler
from bot.weekly.source import SheetReportSource
from bot.weekly.status import Operations
from bot.weekly.watched_sync import CHANGE_POLL, WatchedSheetsSync
from bot.workspaces import Workspaces, workspaces_of
from sheets.api import (
    DriveChanges,
)


@dataclass
class Weekly:
    store: Store  # the one engine: /healthz probes it
    commands: WatchCommands
    campaigns: CampaignHistory
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


def build_weekly(
    settings: Settings,
    clients: WebClient | Workspaces,
    clock: Clock = utc_now,
    store: Store | None = None,
) -> Weekly | None:
    """None when Google isn't configured: /ctr still works, watch commands explain why not.

    ``clients``: SLACK_BOT_TOKEN's client, or OAuth mode's installations; ``store``: the one
    OAuth mode opened already (else DATABASE_URL's is opened here).
    """
    if settings.sheets.credentials is None:
        return None
    workspaces = workspaces_of(clients)
    store = store or open_store(settings, clock)
    sheets_client, service_account = google_client(settings.sheets, store)
    access = GoogleSheetAccess(sheets_client, service_account)
    changes = DriveChanges(sheets_client)
    owner = f"{socket.gethostname()}-{os.getpid()}-{datetime.now().timestamp():.0f}"
    totals = store.weekly_totals
    syncer = WatchedSheetsSync(
        store.syncs,
        store.watches,
        store.history,
        access,
        clock,
        changes=changes,
        totals=totals,
        interval=timedelta(minutes=settings.sync_interval_minutes),
        owner=owner,
    )
    source = SheetReportSource(
        lambda watch: access.open(watch.sheet_url),
        store.history,
        clock,
        settings.summary_min_impressions,
        last_reads=syncer.last_reads,
        changes=changes,
        totals=totals,
        sync_first=syncer.sync_for_summary,
        me=service_account,
    )
    return Weekly(
        store=store,
        commands=WatchCommands(
            workspaces,
            store.watches,
            store.deliveries,
            store.syncs,
            access,
            settings.ctr_admins,
            operations=lambda: Operations(
                syncer.backlog, sheets_client.quota.usage(), store.quota.mismatches()
            ),
            clock=clock,
        ),
        campaigns=CampaignHistory(
            workspaces, store.watches, store.history, source.read, clock=clock
        ),
        scheduler=SummaryScheduler(
            watches=store.watches,
            deliveries=store.deliveries,
            workspaces=workspaces,
            source=source,
            owner=owner,
            clock=clock,
            # Shared by the replicas (the store's buckets): together they send what one may.
            pace=SlackPacer(store.quota, time.time, time.sleep),
        ),
        syncer=syncer,
        sync_every=min(CHANGE_POLL, settings.sync_interval_minutes * 60),
    )
