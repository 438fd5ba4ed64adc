"""Fixtures for weekly summaries: a fake Slack, a store, a clock and a canned report source."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.store.engine import connect, migrate
from bot.store.records import NewWatch, Watch
from bot.store.repository import Store
from bot.weekly.posts import Rendered
from core.schedule import Weekday
from tests.fakes.slack_api import FakeSlack, running_fake_slack

SHEET = "https://docs.google.com/spreadsheets/d/sheet-1/edit"


class Clock:
    """Injected time: tests move it by hand instead of sleeping."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class CannedSource:
    """Stands in for the sheet reader: renders a fixed message and records what was asked."""

    def __init__(self) -> None:
        self.requests: list[tuple[int, date, str | None]] = []

    def __call__(self, watch: Watch, week: date, late_by: str | None) -> Rendered:
        self.requests.append((watch.id, week, late_by))
        text = f"Weekly CTR for week {week.isoformat()}" + (
            f" (late by {late_by})" if late_by else ""
        )
        return Rendered(
            blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
            text=text,
            chart_png=b"\x89PNG\r\n\x1a\nfake-chart",
            chart_title="Weekly CTR",
        )


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with running_fake_slack() as fake:
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return WebClient(token=slack.token, base_url=slack.api_url)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 16, 12, 0, tzinfo=UTC))  # a Monday, before the watch


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Store:
    engine = connect(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    migrate(engine)
    return Store(engine, clock)


def add_watch(store: Store, channel: str = "C1", at: time = time(9, 0)) -> Watch:
    return store.watches.add_watch(
        NewWatch(
            team_id="T1",
            channel_id=channel,
            sheet_key="sheet-1",
            sheet_url=SHEET,
            weekday=Weekday.MONDAY,
            at=at,
            timezone="Europe/Paris",
            created_by="U_ADMIN",
        )
    )


def monday(day: int, hour_utc: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour_utc, minute, tzinfo=UTC) + timedelta()
