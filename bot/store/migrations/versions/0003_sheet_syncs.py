"""Remember each watched sheet's last synced version, so unchanged sheets are not read.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sheet_syncs",
        sa.Column("sheet_key", sa.String(128), primary_key=True),
        sa.Column("version", sa.String(40), nullable=True),
        sa.Column("synced_at", UTCDateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("sheet_syncs")
