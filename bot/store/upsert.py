"""One way to write "insert, or if the row is there, change it": the database's own upsert.

Both SQLite and PostgreSQL decide the conflict inside one statement (INSERT ... ON CONFLICT),
so there is no window between looking and inserting for another replica to fill, no
IntegrityError to catch, and no aborted PostgreSQL transaction to redo.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import ColumnElement, Connection, Insert, Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert(
    db: Connection,
    table: Table,
    values: Mapping[str, object],
    *,
    key: Sequence[str],
    update: Mapping[str, object] | None = None,
    where: ColumnElement[bool] | None = None,
) -> Insert:
    """INSERT ``values``; if a row with the same ``key`` columns exists, UPDATE it with
    ``update`` instead (default: ``values`` but the key) where ``where`` holds, or leave it
    as it is when ``update`` is empty. Add ``.returning(...)`` to learn what happened: no row
    comes back when the existing row was left alone."""
    changes = {k: v for k, v in values.items() if k not in key} if update is None else update
    if db.dialect.name == "postgresql":
        on_postgres = postgresql.insert(table).values(dict(values))
        if not changes:
            return on_postgres.on_conflict_do_nothing(index_elements=list(key))
        return on_postgres.on_conflict_do_update(
            index_elements=list(key), set_=dict(changes), where=where
        )
    if db.dialect.name == "sqlite":
        on_sqlite = sqlite.insert(table).values(dict(values))
        if not changes:
            return on_sqlite.on_conflict_do_nothing(index_elements=list(key))
        return on_sqlite.on_conflict_do_update(
            index_elements=list(key), set_=dict(changes), where=where
        )
    # DATABASE_URL only lets these two through (bot/database_url.py).
    raise ValueError(f"no upsert for the {db.dialect.name} dialect")
