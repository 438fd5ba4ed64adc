"""Alembic environment: always run programmatically by bot.store.engine.migrate()."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bot.store.schema import metadata

connection: Connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
