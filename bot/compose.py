"""How every ctr-bot entry point builds its parts (store, Google client, Slack client), so
there is one wiring: `ctr-bot` itself, `ctr-bot summary`, /healthz and the benchmarks.

The rule this module keeps: wherever a store exists, Google's quota is taken from the
buckets in it (bot/store/quota.py), shared with every replica; a client on a quota of its
own would spend the account's requests behind the replicas' backs.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy.engine import make_url

from bot.app import make_client as make_slack_client
from bot.database_url import describe, sqlite_file_problem
from bot.settings import Settings
from bot.store.engine import connect, migrate
from bot.store.records import Clock, utc_now
from bot.store.repository import Store
from core.errors import ConfigError, InputError
from sheets.api import (
    CsvSheet,
    GoogleSheet,
    QuotaScheduler,
    ResilientHTTPClient,
    SheetBackend,
    SheetsSettings,
    make_client,
    parse_sheet_ref,
)


def open_store(
    settings: Settings, clock: Clock = utc_now, jitter: Callable[[], float] = random.random
) -> Store:
    """The database named by DATABASE_URL, migrated to the current schema.

    A SQLite file that can't be made where DATABASE_URL says is the operator's to fix
    (ConfigError); the database's own failures are explained at the edge (bot/failures.py).
    """
    if (problem := sqlite_file_problem(settings.database_url)) is not None:
        raise ConfigError(problem)
    engine = connect(settings.database_url)
    try:
        migrate(engine)
    except OSError as error:  # the lock file beside a SQLite database
        raise ConfigError(
            f"DATABASE_URL {describe(settings.database_url)}: can't create "
            f"{error.filename or 'files'} there ({error.strerror or error})."
        ) from None
    return Store(engine, clock, jitter=jitter)


def existing_store(settings: Settings) -> Store | None:
    """The store if there is one already (a server, or a SQLite file a bot has made): a
    one-off command then spends the replicas' quota, not its own; None leaves no file."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).is_file()):
        return None
    return open_store(settings)


def google_client(
    settings: SheetsSettings,
    store: Store | None,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[ResilientHTTPClient, str]:
    """(Sheets/Drive client, service account) taking its quota from ``store``'s shared
    buckets, or, with no store, from buckets of its own in this process.

    ``clock``: epoch seconds, not a monotonic clock, since the buckets are shared with other
    processes (an injected virtual clock in the benchmarks).
    """
    if store is None:
        return make_client(settings, sleep=sleep)
    quota = QuotaScheduler(
        per_user=settings.quota_per_minute, clock=clock, sleep=sleep, ledger=store.quota
    )
    return make_client(settings, sleep=sleep, quota=quota)


def slack_client(settings: Settings) -> WebClient:
    """The Slack Web API client every entry point posts with."""
    return make_slack_client(settings)


def open_sheet(
    sheet: str, settings: SheetsSettings, store: Callable[[], Store | None] = lambda: None
) -> tuple[SheetBackend, str]:
    """(backend, key) for a Sheets URL or key (with the service-account key, on the shared
    quota of ``store()`` if it gives one) or a CSV path (``store`` is not called)."""
    ref = parse_sheet_ref(sheet)
    if ref.path is not None:
        if not ref.path.is_file():
            raise InputError(
                f"No CSV file at {ref.path}.",
                example="summary campaigns.csv --channel C1 --dry-run",
            )
        return CsvSheet(ref.path), ref.path.stem
    assert ref.key is not None
    client, _ = google_client(settings, store())
    return GoogleSheet(client, ref.key, gid=ref.gid), ref.key
