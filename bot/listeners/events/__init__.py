"""Event listeners: a workspace removing the app (OAuth mode)."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.events.removal import Removal
from bot.oauth import Installations


def register(app: App, installations: Installations | None) -> None:
    if installations is None:
        return
    removal = Removal(installations)
    app.event("app_uninstalled")(removal.uninstalled)
    app.event("tokens_revoked")(removal.revoked)
