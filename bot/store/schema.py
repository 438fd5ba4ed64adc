"""Tables, described once for the repository and the migrations' autogenerate check."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("store datetimes must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


watches = Table(
    "watches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("team_id", String(32), nullable=False),
    Column("enterprise_id", String(32), nullable=True),  # the workspace's Grid org (0008)
    Column("channel_id", String(32), nullable=False),
    Column("sheet_key", String(128), nullable=False),
    Column("sheet_url", Text, nullable=False),
    Column("weekday", Integer, nullable=False),
    Column("at_time", String(5), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("created_by", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("paused_reason", Text, nullable=True),
    # Migration 0006: a tab (gid) is its own watch; the current schedule's start, which
    # re-running an unchanged /ctr watch keeps (created_at is the first creation); a summary
    # the previous schedule still owed; the spreadsheet's name; the last error, for /ctr status.
    Column("tab", Integer, nullable=False, server_default="0"),
    Column("schedule_since", UTCDateTime, nullable=False),
    Column("carried_due", UTCDateTime, nullable=True),
    Column("carried_week", Date, nullable=True),
    Column("sheet_name", Text, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_error_at", UTCDateTime, nullable=True),
    # Keyed by workspace first (0008): a Slack Connect channel is one id in two
    # workspaces, and each workspace's watch of it is its own.
    UniqueConstraint(
        "team_id", "channel_id", "sheet_key", "tab", name="uq_watches_team_channel_sheet_tab"
    ),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sheet_key", String(128), nullable=False),
    Column("campaign", Text, nullable=False),
    Column("week", Date, nullable=False),
    Column("clicks", BigInteger, nullable=False),
    Column("impressions", BigInteger, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("tab", Integer, nullable=False, server_default="0"),  # migration 0006
    UniqueConstraint(
        "sheet_key", "tab", "campaign", "week", name="uq_snapshots_sheet_tab_campaign_week"
    ),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("team_id", String(32), nullable=False, server_default=""),  # 0008
    Column("channel_id", String(32), nullable=False),
    Column("sheet_key", String(128), nullable=False),
    Column("week", Date, nullable=False),
    Column("owner", String(128), nullable=False),
    Column("lease_until", UTCDateTime, nullable=False),
    # Bumped by every claim: the lease's epoch too (bot/store/lease.py). More than 1 means an
    # earlier owner may have posted before it lost the claim.
    Column("attempts", Integer, nullable=False, default=1),
    Column("posted", Boolean, nullable=False, default=False),
    Column("message_ts", String(32), nullable=True),
    Column("posted_at", UTCDateTime, nullable=True),
    # Done: the message is posted *and* its chart is in the thread. Until then an expired
    # claim may be taken over, so a poster that dies between the two still gets its chart.
    Column("charted", Boolean, nullable=False, default=False, server_default=false()),
    Column("tab", Integer, nullable=False, server_default="0"),  # migration 0006
    UniqueConstraint(
        "team_id",
        "channel_id",
        "sheet_key",
        "tab",
        "week",
        name="uq_deliveries_team_channel_sheet_tab_week",
    ),
)

# Per watched spreadsheet: the Drive version (modifiedTime) its last sync started from and
# when that sync ended, so a pass reads only sheets that changed or went a day unsynced.
sheet_syncs = Table(
    "sheet_syncs",
    metadata,
    Column("sheet_key", String(128), primary_key=True),
    Column("version", String(40), nullable=True),
    Column("synced_at", UTCDateTime, nullable=True),
    # The replica syncing this sheet in the current interval, and until when (migration 0004).
    Column("claimed_by", String(200), nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    # The newest version Drive reported and no sync has started from yet (migration 0005):
    # whichever replica listed the change, any replica may sync it.
    Column("reported_version", String(40), nullable=True),
    # Bumped by every claim (migration 0007): a write under an older claim is refused
    # (bot/store/lease.py).
    Column("lease_epoch", Integer, nullable=False, server_default="0"),
)

# One row per Drive account whose changes the replicas list: who lists them now (a lease, so
# one listing serves every replica) and from when the next listing starts (migration 0005).
change_polls = Table(
    "change_polls",
    metadata,
    Column("account", String(200), primary_key=True),
    Column("claimed_by", String(200), nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("listed_at", UTCDateTime, nullable=True),
    # Why the last listing failed and since when (migration 0006): None while Drive answers.
    Column("failure", Text, nullable=True),
    Column("failing_since", UTCDateTime, nullable=True),
    Column("lease_epoch", Integer, nullable=False, server_default="0"),  # as in sheet_syncs
)

# Google's per-minute quotas as token buckets every replica takes from (migration 0005): the
# service account is one user to Google, however many processes use it. ``updated`` is epoch
# seconds from the replicas' clocks (NTP-close is enough: a skew only delays a refill).
quota_buckets = Table(
    "quota_buckets",
    metadata,
    Column("name", String(300), primary_key=True),
    Column("tokens", Float(53), nullable=False),
    Column("updated", Float(53), nullable=False),
    # The bucket's size, requests a minute (migration 0007): stored with it so replicas with
    # different SHEETS_QUOTA_PER_MINUTE all use the one the bucket has (bot/store/quota.py).
    Column("per_minute", Integer, nullable=False),
)

# Per watched tab: what its weekly summary needs, as its last sync found it (migration
# weekly_totals; bot/weekly/totals.py): a summary of an unchanged sheet reads no sheet.
# ``version``: the Drive version the totals show (None: our own write, not yet listed).
weekly_totals = Table(
    "weekly_totals",
    metadata,
    Column("sheet_key", String(128), primary_key=True),
    Column("tab", Integer, primary_key=True),
    Column("version", String(40), nullable=True),
    Column("synced_at", UTCDateTime, nullable=False),
    Column("body", Text, nullable=False),
)

# OAuth mode (0008): slack_sdk's own tables for installations, their bots and the
# single-use install states, described by slack_sdk and kept in our migrations.
slack_installations = SQLAlchemyInstallationStore.build_installations_table(
    metadata, SQLAlchemyInstallationStore.default_installations_table_name
)
slack_bots = SQLAlchemyInstallationStore.build_bots_table(
    metadata, SQLAlchemyInstallationStore.default_bots_table_name
)
slack_oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    metadata, SQLAlchemyOAuthStateStore.default_table_name
)
