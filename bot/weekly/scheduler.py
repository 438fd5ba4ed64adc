"""Inside `ctr-bot`: send each watched sheet's summary when due, and keep failures visible."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.blocks import section
from bot.metrics import SUMMARIES
from bot.slackerrors import TOKEN_REFUSED, Remedy, classify
from bot.slacktext import literal
from bot.store.deliveries import Deliveries
from bot.store.records import Clock, Watch
from bot.store.watches import Watches
from bot.store.workspace_watches import UNINSTALLED
from bot.weekly.delivery import DEFAULT_LEASE, Outcome, deliver
from bot.weekly.every import run_every
from bot.weekly.pacing import Pace, by_turns, unpaced
from bot.weekly.posts import Rendered, Target
from bot.workspaces import NotInstalled, Workspaces
from core.errors import CtrError
from core.owed import owed
from core.schedule import Due
from sheets.api import SheetAccessError, SheetsApiError

log = logging.getLogger(__name__)

# What the channel's people must do when Slack refuses to post there: the watch pauses.
# Reasons are plain text (stored, then shown as typed wherever they appear).
NEEDS_A_PERSON = {
    "not_in_channel": "I'm not a member of the channel: invite me with /invite @CTR, then "
    "run /ctr watch {url} again.",
    "channel_not_found": "The channel no longer exists or I can't see it.",
    "is_archived": "The channel was archived.",
}
# Passes in a row a watch may fail for reasons nobody was told about (Google down, a bug)
# before it is paused and its owner told: a few minutes of trouble, not a lost week.
MAX_FAILURES = 5


class ReportSource(Protocol):
    """Reads the watched sheet and renders the week's message (raises CtrError if it can't)."""

    def __call__(self, watch: Watch, week: date, late_by: str | None) -> Rendered: ...


@dataclass
class SummaryScheduler:
    watches: Watches
    deliveries: Deliveries
    workspaces: Workspaces  # each watch's summary goes out with its own workspace's token
    source: ReportSource
    owner: str
    clock: Clock
    lease: timedelta = DEFAULT_LEASE
    # Waits before each Slack call until Slack's rate limits allow it (bot/weekly/pacing.py):
    # a Monday burst of summaries goes out at the pace Slack takes, without 429s.
    pace: Pace = unpaced

    failures: dict[int, int] = field(default_factory=dict)  # watch id -> passes failed in a row
    stopping: threading.Event = field(default_factory=threading.Event)  # run_forever's stop

    def run_due(self) -> dict[int, Outcome]:
        """One pass over every watch; returns what happened to each that owed a summary.

        Each watch is its own edge: whatever one raises is logged with the watch, counted
        against it, and never keeps the others from being sent.
        """
        outcomes: dict[int, Outcome] = {}
        # An owed summary reports on a week that began at most two weeks ago (three for one
        # carried over from a changed schedule): what was sent since, in one query a pass.
        done: dict[tuple[str, str, str, int], set[date]] = {}
        for team, channel, key, tab, week in self.deliveries.deliveries_since(
            self.clock().date() - timedelta(days=28)
        ):
            done.setdefault((team, channel, key, tab), set()).add(week)
        # Channels take turns: each takes one post a second, so they fill each other's waits.
        for watch in by_turns(self.watches.all(), key=lambda watch: watch.channel_id):
            if self.stopping.is_set():
                break  # shutting down: the delivery in hand finished; claim no other
            if watch.paused_reason is not None:
                continue  # quiet until watched again, which resumes it
            try:
                owed_now = self._owed(watch, done)
                client = (
                    self.workspaces.client(watch.team_id, watch.enterprise_id) if owed_now else None
                )
                for due in owed_now:
                    assert client is not None
                    outcomes[watch.id] = self._send(client, watch, due)
                    SUMMARIES.labels(outcomes[watch.id].value, watch.team_id).inc()
                self._succeeded(watch)
                continue
            except NotInstalled as error:  # removed without our hearing of it
                self.watches.pause_watch(watch.id, UNINSTALLED)
                log.warning("weekly summary paused for watch %s: %s", watch.id, error)
            except (SlackClientError, URLError) as error:  # URLError: the upload's PUT
                self._slack_failed(watch, error)
            except SheetAccessError as error:
                self._pause(watch, f"I couldn't read the sheet for its weekly summary: {error}")
            except SheetsApiError as error:  # a Google hiccup: the next pass retries
                self._failed(watch, str(error))
            except CtrError as error:
                self._pause(watch, f"I couldn't read the sheet for its weekly summary: {error}")
            except Exception as error:  # a bug: logged in full for the operator
                log.exception("weekly summary for watch %s (%s) crashed", watch.id, watch.sheet_url)
                self._failed(watch, f"an internal error ({type(error).__name__})")
            # every way out of the try but the first
            SUMMARIES.labels("failed", watch.team_id).inc()
        return outcomes

    def run_forever(self, stop: threading.Event, every: float = 60.0) -> None:
        """Check every ``every`` seconds until ``stop`` is set; a failing pass never ends it."""
        self.stopping = stop
        run_every(stop, every, self.run_due, "weekly summary pass")

    def _owed(self, watch: Watch, done: dict[tuple[str, str, str, int], set[date]]) -> list[Due]:
        """What the watch owes now (core/owed.py): late is fine, lost never is."""
        sent = done.get((watch.team_id, watch.channel_id, watch.sheet_key, watch.tab), set())
        return owed(watch.times, self.clock(), sent)

    def _send(self, client: WebClient, watch: Watch, due: Due) -> Outcome:
        late_by = describe_delay(self.clock() - due.scheduled) if due.late else None
        render: Callable[[], Rendered] = lambda: self.source(watch, due.reported_week, late_by)  # noqa: E731
        target = Target(
            watch.channel_id, watch.sheet_key, due.reported_week, watch.tab, watch.team_id
        )
        return deliver(
            client,
            self.deliveries,
            self.owner,
            target,
            render,
            since=due.scheduled,
            lease=self.lease,
            pace=self.pace,
        )

    def _succeeded(self, watch: Watch) -> None:
        if self.failures.pop(watch.id, None) is not None or watch.last_error is not None:
            self.watches.record_error(watch.id, None)

    def _slack_failed(self, watch: Watch, error: SlackClientError | URLError) -> None:
        problem = classify(error)
        if self.workspaces.per_workspace and problem.code in TOKEN_REFUSED:
            self._workspace_token_refused(watch, problem.code, problem.what)
            return
        if problem.remedy is Remedy.OPERATOR:  # nobody can be told in Slack: the log says
            self.watches.pause_watch(watch.id, problem.what)
            log.error("weekly summary paused for watch %s: %s", watch.id, problem.what)
            return
        template = NEEDS_A_PERSON.get(problem.code)
        if template is None:  # transient or unknown: the next pass retries
            self._failed(watch, problem.what)
            return
        self._pause(watch, template.format(url=watch.sheet_url))

    def _workspace_token_refused(self, watch: Watch, code: str, what: str) -> None:
        """OAuth mode: an expired token is refreshed on the next pass (its expiry is due by
        then); any other refused token means the workspace's installation is gone, so its
        watch waits for a reinstall, which resumes it."""
        if code == "token_expired":
            self._failed(watch, what)
            return
        self.watches.pause_watch(watch.id, UNINSTALLED)
        log.warning("weekly summary paused for watch %s: %s (%s)", watch.id, what, watch.team_id)

    def _failed(self, watch: Watch, what: str) -> None:
        count = self.failures[watch.id] = self.failures.get(watch.id, 0) + 1
        self.watches.record_error(watch.id, what)
        log.warning(
            "weekly summary for watch %s (%s in %s) failed (%d in a row): %s",
            *(watch.id, watch.sheet_url, watch.channel_id, count, what),
        )
        if count >= MAX_FAILURES:
            self.failures.pop(watch.id)
            self._pause(
                watch,
                f"It failed {count} times in a row (last: {what}). Check the sheet opens and "
                f"looks as usual, then run /ctr watch {watch.sheet_url} again; if it keeps "
                "failing, tell the bot's operator.",
            )

    def _pause(self, watch: Watch, reason: str) -> None:
        self.watches.pause_watch(watch.id, reason)
        log.warning("weekly summary paused for watch %s: %s", watch.id, reason)
        text = pause_notice(watch, reason)
        try:
            self.pace("chat.postMessage", watch.team_id, watch.created_by)
            self.workspaces.client(watch.team_id, watch.enterprise_id).chat_postMessage(
                channel=watch.created_by, text=text, blocks=[section(text)], unfurl_links=False
            )
        except (SlackClientError, CtrError) as error:  # CtrError: not installed there now
            log.error("could not tell %s about the pause: %s", watch.created_by, error)


def pause_notice(watch: Watch, reason: str) -> str:
    """The DM to whoever set the watch up: the URL and the reason (which may quote the URL
    or the sheet) are shown as typed, never as mentions or links."""
    return (
        f"I paused the weekly CTR summary of {literal(watch.sheet_url)} in "
        f"<#{watch.channel_id}>. {literal(reason)}"
    )


def describe_delay(delay: timedelta) -> str:
    """ "3 hours", "2 days": how late a summary went out, for the message."""
    hours = int(delay.total_seconds() // 3600)
    if hours < 48:
        return f"{max(hours, 1)} hour{'s' if hours != 1 else ''}"
    return f"{hours // 24} days"
