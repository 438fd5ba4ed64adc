"""Replicas share one Drive listing and Google's quota: reported versions, the listing's
lease, and the quota's token buckets move into the store.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sheet_syncs") as table:  # batch: SQLite can't ALTER in place
        table.add_column(sa.Column("reported_version", sa.String(40), nullable=True))
    op.create_table(
        "change_polls",
        sa.Column("account", sa.String(200), primary_key=True),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("claimed_until", UTCDateTime, nullable=True),
        sa.Column("listed_at", UTCDateTime, nullable=True),
    )
    op.create_table(
        "quota_buckets",
        sa.Column("name", sa.String(300), primary_key=True),
        sa.Column("tokens", sa.Float(53), nullable=False),
        sa.Column("updated", sa.Float(53), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("quota_buckets")
    op.drop_table("change_polls")
    with op.batch_alter_table("sheet_syncs") as table:
        table.drop_column("reported_version")
