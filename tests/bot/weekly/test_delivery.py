"""deliver() under every interleaving two replicas can produce, in one process: the clock is
injected (leases run out when the test says) and the fake Slack holds a replica at a chosen
call until the test says go. No sleeps."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.store.repository import Store
from bot.weekly.delivery import DEFAULT_LEASE, Outcome, deliver
from bot.weekly.posts import Rendered, Target
from tests.bot.weekly.conftest import Clock
from tests.fakes.slack_api import FakeSlack

TARGET = Target("C1", "sheet-1", date(2026, 11, 16))
SINCE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\nchart"


def message() -> Rendered:
    return Rendered(
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "Weekly CTR"}}],
        text="Weekly CTR",
        chart_png=PNG,
        chart_title="Weekly CTR",
    )


def send(
    client: WebClient, store: Store, owner: str, render: Callable[[], Rendered] = message
) -> Outcome:
    return deliver(client, store.deliveries, owner, TARGET, render, since=SINCE)


class InThread:
    """Runs one replica's deliver() in a thread, so the test can hold it at a Slack call."""

    def __init__(self, run: Callable[[], Outcome]) -> None:
        self.outcome: Outcome | None = None
        self.error: BaseException | None = None

        def target() -> None:
            try:
                self.outcome = run()
            except BaseException as error:  # reported by result()
                self.error = error

        self._thread = threading.Thread(target=target)
        self._thread.start()

    def result(self) -> Outcome | None:
        self._thread.join(timeout=60)
        assert not self._thread.is_alive()
        if self.error is not None:
            raise self.error
        return self.outcome


def assert_one_summary_with_one_chart(slack: FakeSlack) -> str:
    (summary,) = slack.top_level("C1")
    charts = [f for f in slack.files if f["name"] == TARGET.chart_name]
    assert len(charts) == 1, charts
    assert charts[0]["thread_ts"] == summary["ts"]
    return str(summary["ts"])


@pytest.fixture(autouse=True)
def due(clock: Clock) -> None:
    clock.now = SINCE + timedelta(seconds=5)


def test_a_replica_stalled_before_posting_is_fenced_off_after_a_takeover(
    client: WebClient, store: Store, slack: FakeSlack, clock: Clock
) -> None:
    outcomes: list[Outcome] = []

    def stalls_past_its_lease() -> Rendered:
        # A GC pause or suspended VM between the claim and the post: the lease runs out,
        # another replica takes over and delivers, then this one wakes up.
        clock.now += DEFAULT_LEASE + timedelta(seconds=1)
        outcomes.append(send(client, store, "b"))
        return message()

    assert send(client, store, "a", stalls_past_its_lease) == Outcome.ELSEWHERE
    assert outcomes == [Outcome.POSTED]
    ts = assert_one_summary_with_one_chart(slack)
    assert store.deliveries.posted_message(*_key()) == ts
    assert slack.top_level("C1")[0]["metadata"]["event_payload"]["by"] == "b"


def test_a_late_duplicate_is_deleted_by_the_replica_that_posted_it(
    client: WebClient, store: Store, slack: FakeSlack, clock: Clock
) -> None:
    gate = slack.hold("chat.postMessage", when="before")  # a's post is in flight, past its fence
    a = InThread(lambda: send(client, store, "a"))
    assert gate.arrived.wait(timeout=30)
    clock.now += DEFAULT_LEASE + timedelta(seconds=1)
    assert send(client, store, "b") == Outcome.POSTED
    gate.go()  # a's message lands after b's: a sees both and withdraws its own
    assert a.result() == Outcome.ELSEWHERE
    ts = assert_one_summary_with_one_chart(slack)
    assert store.deliveries.posted_message(*_key()) == ts
    assert len(slack.posts()) == 2
    assert len(slack.posts("chat.delete")) == 1


def test_a_chart_is_uploaded_when_the_poster_failed_after_recording_the_message(
    client: WebClient, store: Store, slack: FakeSlack
) -> None:
    slack.fail_next["files.completeUploadExternal"] = "internal_error"
    with pytest.raises(SlackApiError):
        send(client, store, "a")
    assert store.deliveries.posted_message(*_key()) is not None
    assert not store.deliveries.delivery_done(*_key())
    assert send(client, store, "b") == Outcome.RECOVERED
    assert_one_summary_with_one_chart(slack)
    assert store.deliveries.delivery_done(*_key())
    assert len(slack.posts()) == 1


def test_recovery_finds_the_chart_already_in_the_thread(
    client: WebClient, store: Store, slack: FakeSlack, clock: Clock
) -> None:
    gate = slack.hold("files.completeUploadExternal", when="after")  # uploaded, then a stalls
    a = InThread(lambda: send(client, store, "a"))
    assert gate.arrived.wait(timeout=30)
    clock.now += DEFAULT_LEASE + timedelta(seconds=1)
    assert send(client, store, "b") == Outcome.RECOVERED
    gate.go()
    assert a.result() == Outcome.ELSEWHERE
    assert_one_summary_with_one_chart(slack)
    assert len(slack.posts("files.getUploadURLExternal")) == 1  # b looked, found it, no upload
    assert store.deliveries.delivery_done(*_key())


def test_each_slack_write_renews_the_lease(
    client: WebClient, store: Store, slack: FakeSlack, clock: Clock
) -> None:
    def slow_render() -> Rendered:
        clock.now += DEFAULT_LEASE - timedelta(seconds=10)  # almost all of the lease
        return message()

    gate = slack.hold("files.getUploadURLExternal", when="before")
    a = InThread(lambda: send(client, store, "a", slow_render))
    assert gate.arrived.wait(timeout=30)
    clock.now += timedelta(seconds=20)  # past the first lease, within the renewed one
    assert send(client, store, "b") == Outcome.ELSEWHERE
    gate.go()
    assert a.result() == Outcome.POSTED
    assert_one_summary_with_one_chart(slack)


def test_a_second_call_after_delivery_does_nothing(
    client: WebClient, store: Store, slack: FakeSlack, clock: Clock
) -> None:
    assert send(client, store, "a") == Outcome.POSTED
    clock.now += timedelta(days=1)
    assert send(client, store, "b") == Outcome.ELSEWHERE
    assert_one_summary_with_one_chart(slack)


def _key() -> tuple[str, str, date]:
    return TARGET.channel_id, TARGET.sheet_key, TARGET.week
