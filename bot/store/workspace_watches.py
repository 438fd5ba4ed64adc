"""A workspace's watches paused when it removes the app, and resumed when it installs again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, update

from bot.store.schema import watches

# Stored as the watches' pause reason: a reinstall resumes exactly these, never a watch paused
# for its own trouble (a channel that went away, a sheet that can't be read).
UNINSTALLED = (
    "The app was removed from this workspace (or its token revoked): reinstall it to resume "
    "the weekly summaries."
)


def pause_workspace(engine: Engine, team_id: str, now: datetime) -> int:
    """Pause every running watch of the workspace; returns how many."""
    with engine.begin() as db:
        result = db.execute(
            update(watches)
            .where(watches.c.team_id == team_id, watches.c.paused_reason.is_(None))
            .values(paused_reason=UNINSTALLED, last_error=UNINSTALLED, last_error_at=now)
        )
    return int(result.rowcount)


def resume_workspace(engine: Engine, team_id: str) -> int:
    """Resume the watches the workspace's removal paused; returns how many."""
    with engine.begin() as db:
        result = db.execute(
            update(watches)
            .where(watches.c.team_id == team_id, watches.c.paused_reason == UNINSTALLED)
            .values(paused_reason=None, last_error=None, last_error_at=None)
        )
    return int(result.rowcount)
