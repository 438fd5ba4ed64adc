"""Leases are fenced by an epoch every claim bumps; a quota bucket keeps its size.

- ``sheet_syncs`` and ``change_polls``: ``lease_epoch`` (0: never claimed). Deliveries use
  their ``attempts``, already bumped by every claim.
- ``quota_buckets``: ``per_minute``, the size every replica uses. The buckets are emptied:
  each is created again, full, by the next request (at most a tenth of a minute's requests
  early, once).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name in ("sheet_syncs", "change_polls"):
        with op.batch_alter_table(name) as table:  # batch: SQLite can't ALTER in place
            table.add_column(
                sa.Column("lease_epoch", sa.Integer, nullable=False, server_default="0")
            )
    op.execute("DELETE FROM quota_buckets")
    with op.batch_alter_table("quota_buckets") as table:
        table.add_column(sa.Column("per_minute", sa.Integer, nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("quota_buckets") as table:
        table.drop_column("per_minute")
    for name in ("change_polls", "sheet_syncs"):
        with op.batch_alter_table(name) as table:
            table.drop_column("lease_epoch")
