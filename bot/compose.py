"""How every ctr-bot entry point builds its parts (store, sheets), so there is one wiring."""

from __future__ import annotations

from bot.settings import Settings
from bot.store.engine import connect, migrate
from bot.store.repository import Clock, Store, utc_now
from core.errors import InputError
from sheets.backends import CsvSheet, GoogleSheet, SheetBackend
from sheets.client import make_client
from sheets.refs import parse_sheet_ref
from sheets.settings import SheetsSettings


def open_store(settings: Settings, clock: Clock = utc_now) -> Store:
    """The database named by DATABASE_URL, migrated to the current schema."""
    engine = connect(settings.database_url)
    migrate(engine)
    return Store(engine, clock)


def open_sheet(sheet: str, settings: SheetsSettings) -> tuple[SheetBackend, str]:
    """(backend, key) for a Sheets URL or key (with the service-account key) or a CSV path."""
    ref = parse_sheet_ref(sheet)
    if ref.path is not None:
        if not ref.path.is_file():
            raise InputError(
                f"No CSV file at {ref.path}.",
                example="summary examples/campaigns.csv --channel C1 --dry-run",
            )
        return CsvSheet(ref.path), ref.path.stem
    assert ref.key is not None
    client, _ = make_client(settings)
    return GoogleSheet(client, ref.key, gid=ref.gid), ref.key
