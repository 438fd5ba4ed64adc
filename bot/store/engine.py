"""Open the database named by DATABASE_URL and bring its schema up to date."""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
# Any constant works: replicas starting together queue on it instead of racing the DDL.
_MIGRATION_LOCK = 7_281_902
SHARED_SQLITE = (
    "Another process is using the SQLite database %s. That works, but several ctr-bot "
    "replicas are meant to share PostgreSQL: set DATABASE_URL=postgresql+psycopg://... "
    "(see `ctr-bot docs weekly`)."
)
# Open files whose locks say "this process uses that SQLite database", kept for its lifetime.
_in_use: dict[str, int] = {}


def connect(database_url: str) -> Engine:
    """An engine for ``database_url`` tuned for several threads and processes at once."""
    if database_url.startswith("sqlite"):
        # Writers from other replicas wait for the lock rather than failing at once.
        engine = create_engine(database_url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(database_url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Apply every pending Alembic migration (idempotent; safe from several replicas)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _sqlite_file_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """Replicas migrating one SQLite file take turns (SQLite has no advisory lock; without
    this both create the tables and one dies on "table alembic_version already exists")."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    path = os.path.abspath(database)
    # Named like SQLite's own -wal and -shm files, beside the database.
    fd = os.open(path + "-migrate-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _note_other_processes(path)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _note_other_processes(path: str) -> None:
    """Warn when another process already uses this SQLite file, and mark it used by us.

    Every user holds a shared flock on the database file for its lifetime; an exclusive
    one is only tried here, under the migration lock, so the test and the downgrade to
    shared never race another process. SQLite itself locks with POSIX record locks, which
    are independent of flock on Linux: this never blocks SQLite, nor SQLite it.
    """
    if path in _in_use:
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log.warning(SHARED_SQLITE, path)
    fcntl.flock(fd, fcntl.LOCK_SH)
    _in_use[path] = fd


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
