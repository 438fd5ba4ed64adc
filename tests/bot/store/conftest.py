"""The store's fixtures: each test on SQLite and on a real PostgreSQL server, from empty."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.store.engine import connect, migrate
from bot.store.repository import Store


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = connect(url)
    if request.param == "postgresql":
        with engine.begin() as db:  # each test starts from an empty database
            db.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(engine: Engine, clock: FakeClock) -> Store:
    return Store(engine, clock)


def synced(store: Store, key: str, version: str | None, at: datetime) -> None:
    """A sync of ``key`` by a replica that claimed it (a claim of no length: free at once)."""
    lease = store.syncs.claim_sheet(key, "syncer", timedelta(0))
    assert lease is not None
    store.syncs.record_sync(lease, version, at)


def listed(
    store: Store,
    at: datetime,
    adopt: dict[str, str],
    report: dict[str, str],
    account: str = "acct",
) -> None:
    """A Drive listing by a replica that took the poll (a turn of no length)."""
    poll = store.syncs.claim_change_poll(account, "lister", timedelta(0))
    assert poll is not None
    store.syncs.record_listing(poll, at, adopt, report)
