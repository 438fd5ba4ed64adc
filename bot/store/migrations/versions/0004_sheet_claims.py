"""Replicas split watched sheets: a sheet's sync is claimed by one replica per interval.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sheet_syncs") as table:  # batch: SQLite can't ALTER in place
        table.add_column(sa.Column("claimed_by", sa.String(200), nullable=True))
        table.add_column(sa.Column("claimed_until", UTCDateTime, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sheet_syncs") as table:
        table.drop_column("claimed_until")
        table.drop_column("claimed_by")
