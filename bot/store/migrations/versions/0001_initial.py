"""Watches, snapshots and deliveries.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("sheet_key", sa.String(128), nullable=False),
        sa.Column("sheet_url", sa.Text, nullable=False),
        sa.Column("weekday", sa.Integer, nullable=False),
        sa.Column("at_time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("paused_reason", sa.Text, nullable=True),
        sa.UniqueConstraint("channel_id", "sheet_key", name="uq_watches_channel_sheet"),
    )
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sheet_key", sa.String(128), nullable=False),
        sa.Column("campaign", sa.Text, nullable=False),
        sa.Column("week", sa.Date, nullable=False),
        sa.Column("clicks", sa.BigInteger, nullable=False),
        sa.Column("impressions", sa.BigInteger, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint(
            "sheet_key", "campaign", "week", name="uq_snapshots_sheet_campaign_week"
        ),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("sheet_key", sa.String(128), nullable=False),
        sa.Column("week", sa.Date, nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("lease_until", UTCDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("posted", sa.Boolean, nullable=False),
        sa.Column("message_ts", sa.String(32), nullable=True),
        sa.Column("posted_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint(
            "channel_id", "sheet_key", "week", name="uq_deliveries_channel_sheet_week"
        ),
    )


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("snapshots")
    op.drop_table("watches")
