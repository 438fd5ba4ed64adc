"""Every listener of the app, registered by kind (one listener per file)."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import actions, commands, events
from bot.oauth import Installations
from bot.weekly.campaigns import CampaignHistory
from bot.weekly.commands import WatchCommands


def register(
    app: App,
    watch_commands: WatchCommands | None,
    campaigns: CampaignHistory | None = None,
    installations: Installations | None = None,
) -> None:
    commands.register(app, watch_commands, campaigns)
    actions.register(app, campaigns)
    events.register(app, installations)
