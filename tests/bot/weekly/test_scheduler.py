"""The summary scheduler with an injected clock against a fake Slack: when, what, failures."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from prometheus_client import REGISTRY
from slack_sdk import WebClient

from bot.slackerrors import TOKEN_REFUSED, Remedy, classify
from bot.store.records import NewWatch, Watch
from bot.store.repository import Store
from bot.weekly.delivery import Outcome
from bot.weekly.posts import Rendered
from bot.weekly.scheduler import MAX_FAILURES, SummaryScheduler, describe_delay
from bot.workspaces import OneWorkspace
from core.schedule import Weekday
from sheets.errors import SheetAccessError, SheetsApiError
from tests.bot.weekly.conftest import SHEET, CannedSource, Clock, add_watch
from tests.fakes.slack_api import FakeSlack

REPORTED_WEEK = date(2026, 11, 16)
DUE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris


def scheduler(
    store: Store, client: WebClient, clock: Clock, source: CannedSource
) -> SummaryScheduler:
    return SummaryScheduler(
        store.watches, store.deliveries, OneWorkspace(client), source, owner="r1", clock=clock
    )


def test_nothing_before_due_then_exactly_one_post_with_chart(
    store: Store, client: WebClient, slack: FakeSlack, clock: Clock
) -> None:
    watch = add_watch(store)
    source = CannedSource()
    runner = scheduler(store, client, clock, source)
    clock.now = DUE - timedelta(minutes=1)
    assert runner.run_due() == {}
    clock.now = DUE + timedelta(seconds=5)
    assert runner.run_due() == {watch.id: Outcome.POSTED}
    clock.now += timedelta(minutes=1)
    assert runner.run_due() == {}  # already posted this week
    (post,) = slack.posts()
    assert post["channel"] == "C1"
    assert post["metadata"]["event_payload"] == {
        "sheet": "sheet-1",
        "week": "2026-11-16",
        "team": "T1",  # a workspace's summary, told apart in a channel two workspaces share
        "by": "r1",
    }
    assert source.requests == [(watch.id, REPORTED_WEEK, None)]
    (chart,) = slack.files
    assert chart["thread_ts"] == slack.messages["C1"][0]["ts"]
    assert chart["size"] == len(b"\x89PNG\r\n\x1a\nfake-chart")


def test_a_run_missed_while_down_is_sent_late_within_the_week(
    store: Store, client: WebClient, slack: FakeSlack, clock: Clock
) -> None:
    add_watch(store)
    source = CannedSource()
    clock.now = DUE + timedelta(days=2, hours=3)  # Wednesday: the bot was down on Monday
    scheduler(store, client, clock, source).run_due()
    assert source.requests[0][2] == "2 days"
    assert "late by" in slack.posts()[0]["text"]


def test_a_summary_is_owed_until_the_next_one_is_due(
    store: Store, client: WebClient, slack: FakeSlack, clock: Clock
) -> None:
    """Issue #17.2: a summary was sendable only until midnight of its due day."""
    watch = add_watch(store)
    source = CannedSource()
    clock.now = DUE + timedelta(days=7, hours=-2)  # next Monday 07:00 Paris, before next slot
    assert scheduler(store, client, clock, source).run_due() == {watch.id: Outcome.POSTED}
    assert source.requests == [(watch.id, REPORTED_WEEK, "6 days")]
    clock.now = DUE + timedelta(days=14, hours=1)  # two weeks missed: only the newest is owed
    scheduler(store, client, clock, source).run_due()
    assert source.requests[-1] == (watch.id, REPORTED_WEEK + timedelta(days=14), None)
    assert len(source.requests) == 2


def test_a_late_pass_after_local_midnight_still_sends(
    store: Store, client: WebClient, slack: FakeSlack, clock: Clock
) -> None:
    """Issue #17.2: a Sunday 23:59 slot whose pass ran a minute late was never sent."""
    watch = store.watches.add_watch(
        NewWatch("T1", "C1", "sheet-1", SHEET, Weekday.SUNDAY, time(23, 59), "UTC", "U1")
    )
    clock.now = datetime(2026, 11, 23, 0, 0, 30, tzinfo=UTC)  # Monday 00:00:30
    assert scheduler(store, client, clock, CannedSource()).run_due() == {watch.id: Outcome.POSTED}


def test_two_hundred_watches_due_in_the_same_minute_are_all_sent(
    store: Store, client: WebClient, slack: FakeSlack, clock: Clock
) -> None:
    """Issue #17.2: sent one after another (~1.4 s each), the last ones passed midnight."""
    for n in range(200):
        store.watches.add_watch(
            NewWatch("T1", f"C{n}", "sheet-1", SHEET, Weekday.SUNDAY, time(23, 59), "UTC", "U1")
        )
    runner = scheduler(store, client, clock, CannedSource())
    start = datetime(2026, 11, 22, 23, 59, tzinfo=UTC)
    ticking = iter(start + timedelta(seconds=1.4 * n) for n in range(10_000))
    runner.clock = lambda: next(ticking)  # every look at the clock: 1.4 s later
    outcomes = runner.run_due()
    assert len(outcomes) == 200
    assert {m["channel"] for m in slack.posts()} == {f"C{n}" for n in range(200)}


def test_a_new_watch_does_not_send_the_week_already_past(
    store: Store, client: WebClient, slack: FakeSlack, clock: Clock
) -> None:
    clock.now = DUE + timedelta(days=1)  # watch created on Tuesday, after Monday's slot
    add_watch(store)
    assert scheduler(store, client, clock, CannedSource()).run_due() == {}
    assert slack.posts() == []


def test_not_in_channel_pauses_and_dms_the_admin(
    store: Store, client: WebClient, slack: FakeSlack, clock: Clock
) -> None:
    watch = add_watch(store)
    slack.channel_errors["C1"] = "not_in_channel"
    clock.now = DUE
    runner = scheduler(store, client, clock, CannedSource())
    assert runner.run_due() == {}
    (paused,) = store.watches.all()
    assert paused.paused_reason is not None
    assert "/invite @CTR" in paused.paused_reason
    dm = slack.posts()[-1]
    assert dm["channel"] == "U_ADMIN"
    assert "paused the weekly CTR summary" in dm["text"]
    slack.channel_errors.clear()
    clock.now += timedelta(hours=1)
    assert runner.run_due() == {}  # paused watches stay quiet until watched again
    assert store.watches.all()[0].id == watch.id


def test_revoked_token_pauses_without_crashing(
    store: Store, slack: FakeSlack, clock: Clock
) -> None:
    add_watch(store)
    revoked = WebClient(token="xoxb-revoked", base_url=slack.api_url)
    clock.now = DUE
    assert scheduler(store, revoked, clock, CannedSource()).run_due() == {}
    assert "invalid_auth" in (store.watches.all()[0].paused_reason or "")


def test_describe_delay() -> None:
    assert describe_delay(timedelta(minutes=70)) == "1 hour"
    assert describe_delay(timedelta(hours=5)) == "5 hours"
    assert describe_delay(timedelta(days=3, hours=2)) == "3 days"


class FailingSource(CannedSource):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def __call__(self, watch: object, week: date, late_by: str | None) -> Rendered:
        raise self.error


def test_a_sheet_no_longer_shared_pauses_and_dms(
    store: Store, client: WebClient, slack: FakeSlack, clock: Clock
) -> None:
    add_watch(store)
    clock.now = DUE
    source = FailingSource(SheetAccessError("Google Sheets refused access (403): forbidden"))
    assert scheduler(store, client, clock, source).run_due() == {}
    assert "refused access (403)" in (store.watches.all()[0].paused_reason or "")
    assert slack.posts()[-1]["channel"] == "U_ADMIN"
    assert store.deliveries.posted_message("C1", "sheet-1", REPORTED_WEEK, team_id="T1") is None


def test_a_google_hiccup_is_retried_next_pass_without_pausing(
    store: Store, client: WebClient, slack: FakeSlack, clock: Clock
) -> None:
    add_watch(store)
    clock.now = DUE
    source = FailingSource(SheetsApiError("Google Sheets API get failed after 5 tries: 503"))
    scheduler(store, client, clock, source).run_due()
    assert store.watches.all()[0].paused_reason is None
    assert slack.posts() == []
    assert scheduler(store, client, clock, CannedSource()).run_due() != {}  # the next pass sends


class BrokenFor(CannedSource):
    """One watch's sheet breaks the renderer (as a `$` title once broke matplotlib)."""

    def __init__(self, broken: int) -> None:
        super().__init__()
        self.broken = broken

    def __call__(self, watch: Watch, week: date, late_by: str | None) -> Rendered:
        if watch.id == self.broken:
            raise ValueError("Unknown symbol: \\tags")  # not a CtrError: a bug, say
        return super().__call__(watch, week, late_by)


def test_one_broken_watch_never_stops_the_others_and_is_paused_after_repeated_failures(
    store: Store,
    client: WebClient,
    slack: FakeSlack,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = add_watch(store, channel="C0")
    healthy = add_watch(store, channel="C1")
    runner = scheduler(store, client, clock, BrokenFor(broken.id))
    clock.now = DUE
    assert runner.run_due() == {healthy.id: Outcome.POSTED}  # the broken one came first
    assert f"watch {broken.id}" in caplog.text
    assert SHEET in caplog.text
    for _ in range(MAX_FAILURES - 2):
        clock.now += timedelta(minutes=1)
        runner.run_due()
        assert store.watches.all("C0")[0].paused_reason is None  # might be passing trouble
    clock.now += timedelta(minutes=1)
    runner.run_due()
    reason = store.watches.all("C0")[0].paused_reason
    assert reason is not None
    assert f"failed {MAX_FAILURES} times in a row" in reason
    dm = slack.posts()[-1]
    assert dm["channel"] == "U_ADMIN"
    assert "<#C0>" in dm["text"]
    assert [m["ts"] for m in slack.top_level("C1")] != []
    assert slack.top_level("C0") == []


def summaries(outcome: str) -> float:
    labels = {"outcome": outcome, "team": "T1"}
    return REGISTRY.get_sample_value("ctr_weekly_summaries_total", labels) or 0.0


def test_summaries_are_counted_for_metrics_by_outcome(
    store: Store, client: WebClient, slack: FakeSlack, clock: Clock
) -> None:
    add_watch(store)
    add_watch(store, channel="C2")
    slack.channel_errors["C2"] = "not_in_channel"
    posted, failed = summaries("posted"), summaries("failed")
    clock.now = DUE
    scheduler(store, client, clock, CannedSource()).run_due()
    assert summaries("posted") == posted + 1
    assert summaries("failed") == failed + 1


def test_a_failed_chart_upload_is_a_slack_failure_retried_like_the_other_steps(
    store: Store,
    client: WebClient,
    slack: FakeSlack,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue #17.8: a refused upload PUT was logged as a crash, with a traceback."""
    watch = add_watch(store)
    runner = scheduler(store, client, clock, CannedSource())
    slack.upload_status = 500
    clock.now = DUE
    assert runner.run_due() == {}
    assert "crashed" not in caplog.text
    assert all(record.exc_info is None for record in caplog.records)
    assert runner.failures == {watch.id: 1}
    assert "Slack didn't take the chart's upload" in (store.watches.all()[0].last_error or "")
    slack.upload_status = 200
    clock.now += timedelta(minutes=1)
    assert runner.run_due() == {watch.id: Outcome.RECOVERED}  # the message was already up
    assert len(slack.top_level("C1")) == 1
    assert len(slack.files) == 1
    assert store.watches.all()[0].last_error is None


def test_an_external_users_failure_is_classified_once_for_everyone() -> None:
    """Issue #17.8: user_not_found said "Slack didn't answer… try again"."""
    problem = classify("user_not_found")
    assert problem.remedy is Remedy.PERSON
    assert "I can't check who you are" in problem.what
    assert classify("not_in_channel").remedy is Remedy.CHANNEL
    assert classify("token_revoked").remedy is Remedy.OPERATOR
    assert classify("internal_error").remedy is Remedy.RETRY


def test_every_refused_token_code_is_the_operators_to_fix() -> None:
    assert {classify(code).remedy for code in TOKEN_REFUSED} == {Remedy.OPERATOR}
