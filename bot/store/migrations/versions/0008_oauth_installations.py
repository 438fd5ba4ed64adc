"""OAuth installs: slack_sdk's installation, bot and state tables; watches and deliveries
keyed by workspace.

- ``slack_installations``, ``slack_bots``, ``slack_oauth_states``: as slack_sdk's SQLAlchemy
  stores describe them (slack_sdk 3.8+ columns, token rotation included).
- ``watches``: ``enterprise_id`` (the workspace's Grid organisation, for finding its
  installation); unique per (team, channel, sheet, tab), since a Slack Connect channel has one
  id in every workspace sharing it.
- ``deliveries``: ``team_id`` in the key; existing rows take their watch's workspace.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _create_slack_tables()
    with op.batch_alter_table("watches") as table:
        table.add_column(sa.Column("enterprise_id", sa.String(32), nullable=True))
        table.drop_constraint("uq_watches_channel_sheet_tab", type_="unique")
        table.create_unique_constraint(
            "uq_watches_team_channel_sheet_tab", ["team_id", "channel_id", "sheet_key", "tab"]
        )
    with op.batch_alter_table("deliveries") as table:
        table.add_column(sa.Column("team_id", sa.String(32), nullable=False, server_default=""))
    db = op.get_bind()
    for team, channel, key, tab in db.execute(
        sa.text("SELECT team_id, channel_id, sheet_key, tab FROM watches")
    ).all():
        db.execute(
            sa.text(
                "UPDATE deliveries SET team_id = :team WHERE channel_id = :channel "
                "AND sheet_key = :key AND tab = :tab"
            ),
            {"team": team, "channel": channel, "key": key, "tab": tab},
        )
    with op.batch_alter_table("deliveries") as table:
        table.drop_constraint("uq_deliveries_channel_sheet_tab_week", type_="unique")
        table.create_unique_constraint(
            "uq_deliveries_team_channel_sheet_tab_week",
            ["team_id", "channel_id", "sheet_key", "tab", "week"],
        )


def _tokens() -> list[sa.Column[Any]]:
    return [
        sa.Column("bot_token", sa.String(200)),
        sa.Column("bot_id", sa.String(32)),
        sa.Column("bot_user_id", sa.String(32)),
        sa.Column("bot_scopes", sa.String(1000)),
        sa.Column("bot_refresh_token", sa.String(200)),
        sa.Column("bot_token_expires_at", sa.DateTime),
    ]


def _who() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(32), nullable=False),
        sa.Column("app_id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32)),
        sa.Column("enterprise_name", sa.String(200)),
    ]


def _create_slack_tables() -> None:
    op.create_table(
        "slack_installations",
        *_who(),
        sa.Column("enterprise_url", sa.String(200)),
        sa.Column("team_id", sa.String(32)),
        sa.Column("team_name", sa.String(200)),
        *_tokens(),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("user_token", sa.String(200)),
        sa.Column("user_scopes", sa.String(1000)),
        sa.Column("user_refresh_token", sa.String(200)),
        sa.Column("user_token_expires_at", sa.DateTime),
        sa.Column("incoming_webhook_url", sa.String(200)),
        sa.Column("incoming_webhook_channel", sa.String(200)),
        sa.Column("incoming_webhook_channel_id", sa.String(200)),
        sa.Column("incoming_webhook_configuration_url", sa.String(200)),
        sa.Column("is_enterprise_install", sa.Boolean, nullable=False),
        sa.Column("token_type", sa.String(32)),
        sa.Column("installed_at", sa.DateTime, nullable=False),
    )
    op.create_index(
        "slack_installations_idx",
        "slack_installations",
        ["client_id", "enterprise_id", "team_id", "user_id", "installed_at"],
    )
    op.create_table(
        "slack_bots",
        *_who(),
        sa.Column("team_id", sa.String(32)),
        sa.Column("team_name", sa.String(200)),
        *_tokens(),
        sa.Column("is_enterprise_install", sa.Boolean, nullable=False),
        sa.Column("installed_at", sa.DateTime, nullable=False),
    )
    op.create_index(
        "slack_bots_idx",
        "slack_bots",
        ["client_id", "enterprise_id", "team_id", "installed_at"],
    )
    op.create_table(
        "slack_oauth_states",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("state", sa.String(200), nullable=False),
        sa.Column("expire_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as table:
        table.drop_constraint("uq_deliveries_team_channel_sheet_tab_week", type_="unique")
        table.drop_column("team_id")
        table.create_unique_constraint(
            "uq_deliveries_channel_sheet_tab_week", ["channel_id", "sheet_key", "tab", "week"]
        )
    with op.batch_alter_table("watches") as table:
        table.drop_constraint("uq_watches_team_channel_sheet_tab", type_="unique")
        table.drop_column("enterprise_id")
        table.create_unique_constraint(
            "uq_watches_channel_sheet_tab", ["channel_id", "sheet_key", "tab"]
        )
    op.drop_table("slack_oauth_states")
    op.drop_table("slack_bots")
    op.drop_table("slack_installations")
