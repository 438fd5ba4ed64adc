"""Deliveries remember whether the chart is in the thread, not only the message.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(
            sa.Column("charted", sa.Boolean, nullable=False, server_default=sa.false())
        )
    # Deliveries posted before this column existed had their chart uploaded in the same call.
    op.execute("UPDATE deliveries SET charted = posted")


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("charted")
