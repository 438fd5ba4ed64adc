"""Slash-command listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.commands.ctr import CtrCommand
from bot.weekly.commands import WatchCommands


def register(app: App, watch_commands: WatchCommands | None) -> None:
    app.command("/ctr")(CtrCommand(watch_commands))
