"""Block-action listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import SHARE_ACTION
from bot.listeners.actions.share import share_in_channel


def register(app: App) -> None:
    app.action(SHARE_ACTION)(share_in_channel)
