"""Open the database named by DATABASE_URL and bring its schema up to date."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text

MIGRATIONS = Path(__file__).with_name("migrations")
# Any constant works: replicas starting together queue on it instead of racing the DDL.
_MIGRATION_LOCK = 7_281_902


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
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
