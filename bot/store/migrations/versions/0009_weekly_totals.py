"""Weekly totals: per watched tab, what its summary needs, kept by the sync.

- ``weekly_totals``: (``sheet_key``, ``tab``) -> the Drive ``version`` the totals show, when
  they were synced, and the totals themselves (JSON, bot/weekly/totals.py). Empty at first:
  each tab's next sync fills its row; until then its summary reads the sheet as before.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "weekly_totals",
        sa.Column("sheet_key", sa.String(128), nullable=False),
        sa.Column("tab", sa.Integer, nullable=False),
        sa.Column("version", sa.String(40), nullable=True),
        sa.Column("synced_at", UTCDateTime, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("sheet_key", "tab", name="pk_weekly_totals"),
    )


def downgrade() -> None:
    op.drop_table("weekly_totals")
