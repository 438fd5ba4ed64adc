"""Slash-command listeners."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.listeners.commands.ctr import CtrCommand
from bot.weekly.commands import WatchCommands
from core.watching import is_watch_command


def register(app: App, watch_commands: WatchCommands | None) -> None:
    ctr = CtrCommand(watch_commands)
    # Only watch commands get a lazy follow-up: Bolt re-dispatches the whole request for a
    # lazy listener, which would double the cost of every plain /ctr answer.
    app.command("/ctr", matchers=[is_watch])(ack=ctr.answer, lazy=[ctr.follow_up])
    app.command("/ctr")(ctr.answer)


def is_watch(command: dict[str, Any]) -> bool:
    return is_watch_command(command.get("text") or "")
