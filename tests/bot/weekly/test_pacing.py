"""Delivery within Slack's published rate limits, in virtual time.

The rule: every Slack call of a delivery is paced by one token bucket per published limit
(per channel for chat.postMessage, per workspace for the tiers), a hair under the limit, so
whatever the order and timing of calls, Slack (the fake, enforcing the published figures
with its own code) never answers 429; and history/replies are called only to recover.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk import WebClient

from bot.store.engine import connect, migrate
from bot.store.records import NewWatch
from bot.store.repository import Store
from bot.weekly.delivery import Outcome
from bot.weekly.pacing import (
    PER_CHANNEL,
    PER_WORKSPACE,
    Pace,
    RetryAfter,
    SlackPacer,
    retry_after,
)
from bot.weekly.pacing import unpaced as no_pacing
from bot.weekly.scheduler import SummaryScheduler
from bot.workspaces import OneWorkspace
from core.schedule import Weekday
from sheets.quota import LocalLedger
from tests.bot.weekly.conftest import CannedSource
from tests.fakes.google_quota import START, VirtualClock
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_limits import SlackLimits

METHODS = sorted({*PER_CHANNEL, *PER_WORKSPACE})
DUE = START + 9 * 3600 + 7 * 86_400  # Monday 23 Nov 2026, 09:00 UTC


@settings(max_examples=60, deadline=None)
@given(
    calls=st.lists(
        st.tuples(
            st.sampled_from(METHODS),
            st.sampled_from(["C1", "C2", "C3"]),
            st.sampled_from([0.0, 0.0, 0.0, 0.1, 0.7, 1.0, 5.0, 61.0]),
        ),
        max_size=400,
    )
)
def test_paced_calls_are_never_refused_by_slacks_limits(
    calls: list[tuple[str, str, float]],
) -> None:
    clock = VirtualClock()
    pace = SlackPacer(LocalLedger(), clock, clock.advance)
    slack = SlackLimits(clock)
    for method, channel, gap in calls:
        clock.advance(gap)
        pace(method, "T1", channel)
        assert slack.check(method, channel) is None, (method, channel, clock())


def test_posts_in_one_channel_go_one_a_second_and_other_channels_do_not_wait() -> None:
    clock = VirtualClock(0.0)
    pace = SlackPacer(LocalLedger(), clock, clock.advance)
    for channel in ("C1", "C2", "C3"):
        pace("chat.postMessage", "T1", channel)
    assert clock() == 0.0
    for _ in range(9):
        pace("chat.postMessage", "T1", "C1")
    assert 9.0 <= clock() <= 9.0 * 1.05


def test_one_workspaces_calls_never_wait_on_anothers_budget() -> None:
    """Slack's limits are per workspace: with OAuth installs, a burst of uploads in one
    workspace leaves another workspace's uploads and reads free to go at once."""
    clock = VirtualClock(0.0)
    pace = SlackPacer(LocalLedger(), clock, clock.advance)
    for method in METHODS:
        pace(method, "T1", "C1")
    busy = clock()
    for method in METHODS:
        pace(method, "T2", "C1")  # a Slack Connect channel: the same id in both
    assert clock() == busy
    pace("files.completeUploadExternal", "T1", "C1")
    assert clock() > busy  # T1's own budget still paces T1


def test_retry_after_reads_slacks_header() -> None:
    assert retry_after({"Retry-After": ["7"]}) == 7.0
    assert retry_after({"retry-after": "3"}) == 3.0
    assert retry_after({"Retry-After": ["soon"]}) == 1.0
    assert retry_after({}) == 1.0


@pytest.fixture
def virtual() -> VirtualClock:
    return VirtualClock()  # a week before the summaries are due: the watches are set up then


@pytest.fixture
def burst_store(tmp_path: Path, virtual: VirtualClock) -> Store:
    engine = connect(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    migrate(engine)
    return Store(engine, virtual.datetime)


def watch_many(store: Store, channels: int, per_channel: int) -> None:
    for index in range(channels * per_channel):
        key = f"sheet-{index:03d}"
        store.watches.add_watch(
            NewWatch(
                "T1",
                f"C{index // per_channel}",  # each channel's watches one after another
                key,
                f"https://docs.google.com/spreadsheets/d/{key}/edit",
                Weekday.MONDAY,
                time(9),
                "UTC",
                "U1",
            )
        )


def limited_slack(slack: FakeSlack, virtual: VirtualClock) -> WebClient:
    virtual.advance(DUE + 5 - virtual())  # Monday 09:00:05: every summary is due
    slack.limits, slack.clock = SlackLimits(virtual), virtual
    return WebClient(
        token=slack.token,
        base_url=slack.api_url,
        retry_handlers=[RetryAfter(max_retry_count=3, sleep=virtual.advance)],
    )


def scheduler(
    store: Store, client: WebClient, virtual: VirtualClock, pace: Pace
) -> SummaryScheduler:
    return SummaryScheduler(
        watches=store.watches,
        deliveries=store.deliveries,
        workspaces=OneWorkspace(client),
        source=CannedSource(),
        owner="r1",
        clock=virtual.datetime,
        pace=pace,
    )


def test_a_burst_of_summaries_is_paced_to_slacks_limits_and_reads_nothing(
    slack: FakeSlack, burst_store: Store, virtual: VirtualClock
) -> None:
    watch_many(burst_store, channels=3, per_channel=12)
    runner = scheduler(
        burst_store,
        limited_slack(slack, virtual),
        virtual,
        SlackPacer(LocalLedger(), virtual, virtual.advance),
    )
    started = virtual()
    outcomes = runner.run_due()
    assert list(outcomes.values()) == [Outcome.POSTED] * 36
    assert slack.limits is not None
    assert slack.limits.refused == []
    assert slack.posts("conversations.history") == slack.posts("conversations.replies") == []
    # The floor Slack's limits allow: 36 uploads at 100 a minute (each channel's 12 posts,
    # one a second, fit inside that).
    floor = (36 - 1) * 60 / 100
    assert floor <= virtual() - started <= 1.2 * floor
    week = date(2026, 11, 16)
    assert all(
        burst_store.deliveries.delivery_done(f"C{i // 12}", f"sheet-{i:03d}", week, team_id="T1")
        for i in range(36)
    )


def test_unpaced_posts_meet_429_and_wait_the_retry_after_slack_gives(
    slack: FakeSlack, burst_store: Store, virtual: VirtualClock
) -> None:
    watch_many(burst_store, channels=1, per_channel=6)
    runner = scheduler(burst_store, limited_slack(slack, virtual), virtual, no_pacing)
    started = virtual()
    assert list(runner.run_due().values()) == [Outcome.POSTED] * 6
    assert slack.limits is not None
    refused = [method for method, _, _ in slack.limits.refused]
    assert set(refused) == {"chat.postMessage"}  # a burst of 3, then 429s
    assert len(slack.top_level("C0")) == 6
    assert virtual() - started >= 3  # the waits Slack asked for, in virtual time
