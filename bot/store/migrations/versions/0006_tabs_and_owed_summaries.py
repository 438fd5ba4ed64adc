"""Tabs are separate watches with their own history; a re-watch keeps what was owed; errors
are kept where /ctr status can show them.

- ``watches``: ``tab`` (the gid; part of the key with channel and spreadsheet),
  ``schedule_since`` (when the current schedule took effect: set to ``created_at``),
  ``carried_due``/``carried_week`` (a summary the previous schedule still owed),
  ``sheet_name``, ``last_error``/``last_error_at``.
- ``snapshots`` and ``deliveries`` get ``tab`` in their keys.
- ``change_polls``: ``failure``/``failing_since`` (the Drive listing's last failure).

Existing rows: a watch's tab is the gid in its URL (a URL without one read the first tab,
which is gid 0 in a new spreadsheet). A delivery takes its watch's tab. Running totals were
kept per spreadsheet: they go to the tab of the spreadsheet's oldest watch, the one that
started the series (with several tabs watched the old rows mixed them anyway).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_GID = re.compile(r"[#&?]gid=(\d+)")


def upgrade() -> None:
    with op.batch_alter_table("watches") as table:  # batch: SQLite can't ALTER in place
        table.add_column(sa.Column("tab", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("schedule_since", UTCDateTime, nullable=True))
        table.add_column(sa.Column("carried_due", UTCDateTime, nullable=True))
        table.add_column(sa.Column("carried_week", sa.Date, nullable=True))
        table.add_column(sa.Column("sheet_name", sa.Text, nullable=True))
        table.add_column(sa.Column("last_error", sa.Text, nullable=True))
        table.add_column(sa.Column("last_error_at", UTCDateTime, nullable=True))
    _fill_watches()
    with op.batch_alter_table("watches") as table:
        table.alter_column("schedule_since", existing_type=UTCDateTime, nullable=False)
        table.drop_constraint("uq_watches_channel_sheet", type_="unique")
        table.create_unique_constraint(
            "uq_watches_channel_sheet_tab", ["channel_id", "sheet_key", "tab"]
        )
    for name, old, new, columns in (
        (
            "snapshots",
            "uq_snapshots_sheet_campaign_week",
            "uq_snapshots_sheet_tab_campaign_week",
            ["sheet_key", "tab", "campaign", "week"],
        ),
        (
            "deliveries",
            "uq_deliveries_channel_sheet_week",
            "uq_deliveries_channel_sheet_tab_week",
            ["channel_id", "sheet_key", "tab", "week"],
        ),
    ):
        with op.batch_alter_table(name) as table:
            table.add_column(sa.Column("tab", sa.Integer, nullable=False, server_default="0"))
        _fill_tabs(name)
        with op.batch_alter_table(name) as table:
            table.drop_constraint(old, type_="unique")
            table.create_unique_constraint(new, columns)
    with op.batch_alter_table("change_polls") as table:
        table.add_column(sa.Column("failure", sa.Text, nullable=True))
        table.add_column(sa.Column("failing_since", UTCDateTime, nullable=True))


def _fill_watches() -> None:
    db = op.get_bind()
    rows = db.execute(sa.text("SELECT id, sheet_url FROM watches")).all()
    for watch_id, url in rows:
        gid = _GID.search(url or "")
        db.execute(
            sa.text("UPDATE watches SET tab = :tab, schedule_since = created_at WHERE id = :id"),
            {"tab": int(gid[1]) if gid else 0, "id": watch_id},
        )


def _fill_tabs(name: str) -> None:
    db = op.get_bind()
    watches = db.execute(
        sa.text("SELECT channel_id, sheet_key, tab FROM watches ORDER BY id")
    ).all()
    if name == "deliveries":
        for channel, key, tab in watches:
            db.execute(
                sa.text(
                    "UPDATE deliveries SET tab = :tab WHERE channel_id = :channel "
                    "AND sheet_key = :key"
                ),
                {"tab": tab, "channel": channel, "key": key},
            )
        return
    oldest: dict[str, int] = {}
    for _, key, tab in watches:
        oldest.setdefault(key, tab)
    for key, tab in oldest.items():
        db.execute(
            sa.text("UPDATE snapshots SET tab = :tab WHERE sheet_key = :key"),
            {"tab": tab, "key": key},
        )


def downgrade() -> None:
    with op.batch_alter_table("change_polls") as table:
        table.drop_column("failing_since")
        table.drop_column("failure")
    for name, new, old, columns in (
        (
            "deliveries",
            "uq_deliveries_channel_sheet_tab_week",
            "uq_deliveries_channel_sheet_week",
            ["channel_id", "sheet_key", "week"],
        ),
        (
            "snapshots",
            "uq_snapshots_sheet_tab_campaign_week",
            "uq_snapshots_sheet_campaign_week",
            ["sheet_key", "campaign", "week"],
        ),
    ):
        with op.batch_alter_table(name) as table:
            table.drop_constraint(new, type_="unique")
            table.drop_column("tab")
            table.create_unique_constraint(old, columns)
    with op.batch_alter_table("watches") as table:
        table.drop_constraint("uq_watches_channel_sheet_tab", type_="unique")
        for column in (
            "last_error_at",
            "last_error",
            "sheet_name",
            "carried_week",
            "carried_due",
            "schedule_since",
            "tab",
        ):
            table.drop_column(column)
        table.create_unique_constraint("uq_watches_channel_sheet", ["channel_id", "sheet_key"])
