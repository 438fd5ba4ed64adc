"""The watched sheets' sync: their CTR columns kept filled in and the totals summaries need
kept in the store, one replica per sheet at a time."""

from __future__ import annotations

import logging
import os
import socket
import threading
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from bot.health import report_degraded
from bot.metrics import FEED_FAILURES
from bot.store.history import History
from bot.store.lease import Lease, LeaseLost
from bot.store.records import ChangePoll, Clock, Watch, utc_now
from bot.store.syncs import SheetSyncs
from bot.store.watches import Watches
from bot.store.weekly_totals import WeeklyTotals
from bot.weekly.access import GoogleSheetAccess
from bot.weekly.every import run_every
from bot.weekly.freshness import (
    FULL_RESYNC,
    PassPlan,
    drive_failure,
    fallback_resync,
    plan_listing,
    plan_pass,
)
from bot.weekly.held import HELD
from bot.weekly.lastread import LastRead, LastReads
from bot.weekly.source import record_snapshot
from bot.weekly.totals import SheetTotals, totals_of
from core.errors import CtrError
from sheets.api import (
    DriveChanges,
    GoogleSheet,
    Kind,
    SheetsApiError,
    metrics,
    sync,
)

log = logging.getLogger(__name__)
# How often Drive is asked what changed (by one replica for all): a listing with nothing new
# costs one Drive call, so a no-op 15-minute interval costs 5 Drive calls however many replicas
# run, and an edited sheet waits a few minutes (bench/bench_quota.py: worst lag 4.7 min at 200
# edits per interval with 3 replicas; a 1-minute poll gave 2.0 min for 15 Drive calls).
CHANGE_POLL = 180.0
# Drive may show a change a little after its modifiedTime, and our clock may differ from
# Google's: each listing reaches back this far before the last one (seen versions are skipped).
DRIVE_LAG = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Tab:
    """One watched tab of a spreadsheet: where to read it and whose week its snapshots use."""

    url: str
    zone: str
    gid: int


@dataclass
class WatchedSheetsSync:
    """Keeps watched sheets' CTR columns filled in, and records running-total snapshots.

    With ``changes`` (Drive), one replica at a time lists what changed for all of them (a
    lease in the store, at most once per ``poll_every``) and each pass reads only the sheets
    reported changed since they were last synced, plus any not fully synced for a day
    (bot/weekly/freshness.py); without, every watched sheet every pass. Replicas split the
    reads: a sheet is claimed for one ``interval`` from when it is taken up (a lease: the
    replica that synced it may renew it, another takes it once it ran out). A pass that can't get
    through its queue within ``interval`` (the quota scheduler makes it wait) says so, and the
    rest waits for the next pass.
    """

    syncs: SheetSyncs
    watches: Watches
    history: History
    access: GoogleSheetAccess
    clock: Clock = utc_now
    changes: DriveChanges | None = None
    interval: timedelta = timedelta(minutes=15)
    poll_every: timedelta = timedelta(seconds=CHANGE_POLL)
    last_reads: LastReads = field(default_factory=LastReads)
    totals: WeeklyTotals | None = None  # what summaries need, kept at each sync
    backlog: int = 0  # sheets due that the last pass did not reach
    # This replica's name in sheet claims: replicas split the sheets, one per sheet and interval.
    owner: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    _backends: dict[str, GoogleSheet] = field(default_factory=dict)  # by URL: metadata kept
    stopping: threading.Event = field(default_factory=threading.Event)  # run_forever's stop
    _claims: dict[str, Lease] = field(default_factory=dict)  # sheets we synced, by key
    # Keys being synced in this process: the pass and a summary's sync share the claim.
    _busy: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run_once(self) -> int:
        """One pass; returns how many spreadsheets synced. Errors are logged, not fatal."""
        now = self.clock()
        targets = self._targets()
        if self.changes is None:
            plan = PassPlan(queue=[(key, None) for key in targets])
        else:
            self._list_changes(self.changes, targets, now)
            plan = plan_pass(targets.keys(), self.syncs.sync_states(), now, self._resync(targets))
        deadline, synced = now + self.interval, 0
        for index, (key, version) in enumerate(plan.queue):
            if self.stopping.is_set():
                break  # shutting down: the sheet in hand finished; the rest stay due
            if self.clock() >= deadline:
                self._behind(len(plan.queue) - index, plan)
                break
            lease = self._claim(key)
            if lease is None:
                continue  # another replica syncs it this interval; it stays due for later
            with HELD.hold(f"sheet {key}", partial(self.syncs.release_sheet, lease)):
                synced += self._sync_key(lease, version, targets[key])
        else:
            self.backlog = 0
            metrics.SYNC_BACKLOG.set(0)
        return synced

    def run_forever(self, stop: threading.Event, every: float) -> None:
        self.stopping = stop
        run_every(stop, every, self.run_once, "watched-sheet sync pass")

    def _claim(self, key: str) -> Lease | None:
        """The sheet for one ``interval`` from now: ours again if we hold it, else taken if
        nobody does."""
        held = self._claims.pop(key, None)
        lease = None
        if held is not None:
            # LeaseLost: another replica took it after ours ran out; take it like anyone.
            with suppress(LeaseLost):
                lease = self.syncs.renew_sheet(held, self.interval)
        lease = lease or self.syncs.claim_sheet(key, self.owner, self.interval)
        if lease is not None:
            self._claims[key] = lease
        return lease

    def _targets(self) -> dict[str, list[Tab]]:
        """Spreadsheet key -> each watched tab of it (URL, time zone, gid)."""
        targets: dict[str, list[Tab]] = {}
        for watch in self.watches.all():
            tab = Tab(watch.sheet_url, watch.timezone, watch.tab)
            if not watch.paused_reason and tab not in targets.get(watch.sheet_key, []):
                targets.setdefault(watch.sheet_key, []).append(tab)
        return targets

    def _list_changes(
        self, changes: DriveChanges, targets: dict[str, list[Tab]], now: datetime
    ) -> None:
        """If no other replica has this turn, ask Drive what changed and record it for all."""
        me = self.access.service_account
        poll = self.syncs.claim_change_poll(me, self.owner, self.poll_every)
        if poll is None:
            return  # another replica lists Drive this time; its findings are in the store
        with HELD.hold(f"Drive listing {me}", partial(self.syncs.release_change_poll, poll)):
            self._list(changes, targets, now, poll)

    def _list(
        self, changes: DriveChanges, targets: dict[str, list[Tab]], now: datetime, poll: ChangePoll
    ) -> None:
        me = self.access.service_account
        since = (poll.listed_at or now - FULL_RESYNC) - DRIVE_LAG
        try:
            changed = list(changes.changed_since(since))
        except SheetsApiError as error:  # Drive down or not enabled: sheets are read anyway
            failure = drive_failure(str(error), me)
            FEED_FAILURES.inc()
            log.error("Drive's change feed failed: %s", failure)
            with suppress(LeaseLost):  # a later listing's outcome stands
                self.syncs.record_listing_failure(poll, failure)
            return
        listing = plan_listing(targets.keys(), self.syncs.sync_states(), changed, me=me)
        try:
            self.syncs.record_listing(poll, now, listing.adopt, listing.report)
        except LeaseLost as lost:  # we outlived our turn: the next lister's findings stand
            log.warning("Drive's change listing took too long to count: %s", lost)
            return
        for key, ours in listing.adopt.items():
            self.last_reads.retag(key, ours)
            if self.totals is not None:
                self.totals.retag(key, ours)

    def _resync(self, targets: dict[str, list[Tab]]) -> timedelta:
        """How long a sheet may go unread: a day while Drive reports changes; while its feed
        fails, as often as the quota allows (bot/weekly/freshness.py), so nothing waits a day.
        """
        failing = [
            f for f in self.syncs.feed_failures() if f.account == self.access.service_account
        ]
        report_degraded("drive_changes", failing[0].failure if failing else None)
        if not failing:
            return FULL_RESYNC
        return fallback_resync(len(targets), self.access.client.quota.limits[Kind.READ])

    def _sync_key(self, lease: Lease, version: str | None, targets: list[Tab]) -> int:
        """Sync every watched tab of the leased sheet; 0 if it failed, or if this replica's
        other thread (the pass, or a summary's sync) is syncing it now."""
        (key,) = (str(part) for part in lease.key)
        with self._lock:
            if key in self._busy:
                return 0
            self._busy.add(key)
        try:
            return self._sync_tabs(lease, key, version, targets)
        finally:
            with self._lock:
                self._busy.discard(key)

    def _sync_tabs(self, lease: Lease, key: str, version: str | None, targets: list[Tab]) -> int:
        try:
            if version is None and self.totals is not None:
                version = self._version(key)
            wrote = False
            for tab in targets:
                wrote |= self._sync(key, version, tab)
        except CtrError as error:  # the per-sheet edge: one sheet never stops the others
            log.warning("sync of %s failed: %s", key, error)
            return 0
        except Exception:
            log.exception("sync of %s crashed", key)
            return 0
        if wrote:
            for tab in targets:  # every tab's read is now older than our write's version
                read = self.last_reads.get(tab.url)
                if read is not None:
                    self.last_reads.put(tab.url, replace(read, version=None, own_write=True))
        try:
            self.syncs.record_sync(lease, version, self.clock())
        except LeaseLost as lost:  # our sync outlived its lease: the new holder's record stands
            log.warning("sync of %s took longer than its claim: %s", key, lost)
            self._claims.pop(key, None)
        return 1

    def _version(self, key: str) -> str | None:
        """Drive's version of ``key`` before a sync that does not know it (the daily resync):
        the read after it shows at least that version, so the totals kept can say which.
        Without it an unchanged sheet's summary would sync it again. None if Drive can't say."""
        if self.changes is None:
            return None
        try:
            return self.changes.version(key).modified
        except SheetsApiError as error:
            log.info("Drive could not say which version of %s this sync reads: %s", key, error)
            return None

    def _sync(self, key: str, version: str | None, tab: Tab) -> bool:
        url = tab.url
        backend = self._backends.get(url) or self.access.open(url)
        try:
            result = sync(backend)  # its last read is the sheet as it now stands
        except Exception:
            self._backends.pop(url, None)  # renamed tab, lost access: look it up afresh
            raise
        self._backends[url] = backend
        now = self.clock()
        today = now.astimezone(ZoneInfo(tab.zone)).date()
        record_snapshot(self.history, key, result.grid, result.layout, today, tab=tab.gid)
        shows = version if not result.writes else None  # our write's version: Drive will say
        if self.totals is not None:  # from the read the columns were just written from
            kept = totals_of(result.grid, result.layout, today, title=result.name)
            self.totals.put(key, tab.gid, shows, kept, now)
        read = LastRead(key, shows, result.grid, result.layout, result.name)
        self.last_reads.put(url, replace(read, own_write=bool(result.writes)))
        return bool(result.writes)

    def sync_for_summary(self, watch: Watch, version: str | None) -> SheetTotals | None:
        """Sync the watch's spreadsheet now (every watched tab of it) and return the totals
        of the watch's tab; None if another replica holds its claim or this one's pass is
        syncing it this moment (the summary then reads the sheet)."""
        if self.totals is None:
            return None
        tabs = self._targets().get(watch.sheet_key)
        lease = self._claim(watch.sheet_key) if tabs else None
        if tabs is None or lease is None:
            return None
        if not self._sync_key(lease, version, tabs):
            return None
        kept = self.totals.get(watch.sheet_key, watch.tab)
        return None if kept is None else kept.totals

    def _behind(self, left: int, plan: PassPlan) -> None:
        self.backlog = left
        metrics.SYNC_BACKLOG.set(left)
        log.warning(
            "watched-sheet sync is behind: demand exceeds the Sheets quota; %d of %d sheets "
            "due this pass (%d changed, %d a day unsynced) wait for the next, oldest first",
            *(left, len(plan.queue), len(plan.queue) - plan.stale, plan.stale),
        )
