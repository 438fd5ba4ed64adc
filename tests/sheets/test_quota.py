"""The quota scheduler: token buckets on an injected clock, priorities across threads, and no
429 from the quota-enforcing fake Google however the requests come."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheets.backends import GoogleSheet
from sheets.client import ResilientHTTPClient, make_client
from sheets.quota import Bucket, Kind, QuotaScheduler, TokenBucket, urgent
from sheets.settings import SheetsSettings
from sheets.sync import sync
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_quota import VirtualClock
from tests.sheets.conftest import KEY, campaign_sheet


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def sent_times(
    scheduler: QuotaScheduler, clock: Clock, gaps: list[float], kind: Kind
) -> list[float]:
    times = []
    for gap in gaps:
        clock.now += gap
        scheduler.acquire(kind)
        times.append(clock.now)
    return times


def busiest_minute(times: list[float]) -> int:
    """Most requests in any half-open 60 s window (how Google's fake counts them)."""
    return max(sum(1 for t in times if start - 60 < t <= start) for start in times)


def test_a_burst_goes_at_once_then_requests_are_spread() -> None:
    clock = Clock()
    scheduler = QuotaScheduler(per_user=60, clock=clock, sleep=clock.sleep)
    times = sent_times(scheduler, clock, [0.0] * 60, Kind.READ)
    assert times[:6] == [1000.0] * 6  # a tenth of the minute saved up
    assert clock.slept[0] == pytest.approx(
        60 / 54, abs=0.002
    )  # then 54 a minute: 6 + 54 fit any minute
    assert busiest_minute(times) <= 60
    assert scheduler.usage().waits == 54


@given(
    st.integers(min_value=1, max_value=120),
    st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=300),
)
def test_no_sixty_seconds_ever_hold_more_than_the_quota(per_minute: int, gaps: list[float]) -> None:
    clock = Clock()
    scheduler = QuotaScheduler(per_user=per_minute, clock=clock, sleep=clock.sleep)
    assert busiest_minute(sent_times(scheduler, clock, gaps, Kind.WRITE)) <= per_minute


def test_reads_writes_and_drive_have_their_own_buckets() -> None:
    clock = Clock()
    scheduler = QuotaScheduler(per_user=60, clock=clock, sleep=clock.sleep)
    sent_times(scheduler, clock, [0.0] * 6, Kind.READ)
    scheduler.acquire(Kind.WRITE)
    scheduler.acquire(Kind.DRIVE)
    assert clock.slept == []
    scheduler.acquire(Kind.READ)
    assert len(clock.slept) == 1
    assert scheduler.usage().last_minute == {Kind.READ: 7, Kind.WRITE: 1, Kind.DRIVE: 1}


def test_the_project_bucket_is_shared_and_never_below_the_users() -> None:
    assert TokenBucket(Bucket("project", 300)).spec.rate == 270 / 60
    clock = Clock()
    scheduler = QuotaScheduler(per_user=600, per_project=300, clock=clock, sleep=clock.sleep)
    sent_times(scheduler, clock, [0.0] * 60, Kind.READ)
    assert clock.slept == []  # 600 a minute for this user: the project figure rose with it


def test_an_urgent_request_goes_before_a_routine_one_already_waiting() -> None:
    clock = VirtualClock()
    routine_sleeping, release_routine = threading.Event(), threading.Event()
    order: list[str] = []

    def sleep(seconds: float) -> None:
        if threading.current_thread().name == "routine":
            routine_sleeping.set()
            release_routine.wait(timeout=30)
        clock.advance(seconds)

    scheduler = QuotaScheduler(per_user=60, clock=clock, sleep=sleep)
    for _ in range(6):
        scheduler.acquire(Kind.READ)  # the saved-up tokens are gone

    def take(name: str) -> None:
        if name == "urgent":
            with urgent():
                scheduler.acquire(Kind.READ)
        else:
            scheduler.acquire(Kind.READ)
        order.append(name)

    routine = threading.Thread(target=take, args=("routine",), name="routine")
    routine.start()
    assert routine_sleeping.wait(timeout=30)  # first in line, waiting for a token
    summary = threading.Thread(target=take, args=("urgent",), name="urgent")
    summary.start()
    summary.join(timeout=10)  # only a failure waits this long: FIFO would block it
    release_routine.set()
    routine.join(timeout=30)
    summary.join(timeout=30)
    assert order == ["urgent", "routine"]


def test_a_paced_client_never_meets_a_429(env: dict[str, str], google: FakeGoogle) -> None:
    google.spreadsheets[KEY] = [campaign_sheet([["2026-11-16", "A", 1000, 10, 1.0]])]
    settings = SheetsSettings.from_env(env | {"SHEETS_QUOTA_PER_MINUTE": "60"})
    quota = QuotaScheduler(settings.quota_per_minute, clock=google.clock, sleep=google.clock.sleep)
    client, _ = make_client(settings, sleep=google.clock.sleep, quota=quota)
    assert client.quota.limits[Kind.READ] == 60  # SHEETS_QUOTA_PER_MINUTE sets the buckets
    started = google.clock()
    for _ in range(40):
        sync(GoogleSheet(client, KEY))  # 2 reads each, once the first has written
    assert google.quota.refusals() == 0
    minutes = (google.clock() - started) / 60
    assert 80 / 60 < minutes < 85 / 54  # at the quota's pace, not slower


def test_a_read_waiting_for_quota_keeps_its_own_ranges(
    env: dict[str, str], google: FakeGoogle, client: ResilientHTTPClient
) -> None:
    """A read that waits for a token while another read (another thread, another client)
    goes ahead must still ask for its own tab: the bot's sync and summary threads share a
    client, and a verify read of the wrong columns can't prove anything."""
    google.spreadsheets[KEY] = [campaign_sheet([["2026-11-16", "A", 1000, 10, 1.0]])]
    other = "1Other_abcdefghijklmnopqrst"
    google.spreadsheets[other] = [campaign_sheet([["2026-11-16", "B", 500, 5, 1.0]], "Weekly")]
    clock, others_read = google.clock, []

    def sleep(seconds: float) -> None:  # while we wait for quota, someone else reads
        if not others_read:
            others_read.append(GoogleSheet(client, other).read())
        clock.advance(seconds)

    quota = QuotaScheduler(per_user=1, clock=clock, sleep=sleep)  # one token, then a wait
    settings = SheetsSettings.from_env(env)
    waiting, _ = make_client(settings, sleep=sleep, quota=quota)
    read = GoogleSheet(waiting, KEY).read()  # metadata takes the token; the values read waits
    assert others_read
    assert read.grid[1][:2] == ["2026-11-16", "A"]
