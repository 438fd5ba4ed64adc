"""How every ctr-bot entry point builds its parts (store, sheets), so there is one wiring."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.database_url import describe, sqlite_file_problem
from bot.settings import Settings
from bot.store.engine import connect, migrate
from bot.store.records import Clock, utc_now
from bot.store.repository import Store
from core.errors import ConfigError, InputError
from sheets.api import (
    CsvSheet,
    GoogleSheet,
    SheetBackend,
    SheetsSettings,
    make_client,
    parse_sheet_ref,
)


def open_store(settings: Settings, clock: Clock = utc_now) -> Store:
    return Store(open_engine(settings), clock)


def open_engine(settings: Settings) -> Engine:
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
    return engine


def open_sheet(sheet: str, settings: SheetsSettings) -> tuple[SheetBackend, str]:
    """(backend, key) for a Sheets URL or key (with the service-account key) or a CSV path."""
    ref = parse_sheet_ref(sheet)
    if ref.path is not None:
        if not ref.path.is_file():
            raise InputError(
                f"No CSV file at {ref.path}.",
                example="summary campaigns.csv --channel C1 --dry-run",
            )
        return CsvSheet(ref.path), ref.path.stem
    assert ref.key is not None
    client, _ = make_client(settings)
    return GoogleSheet(client, ref.key, gid=ref.gid), ref.key
