"""Slash-command listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.commands.ctr import CtrCommand, is_not_watch, is_watch
from bot.weekly.campaigns import CampaignHistory
from bot.weekly.commands import WatchCommands


def register(
    app: App, watch_commands: WatchCommands | None, campaigns: CampaignHistory | None = None
) -> None:
    ctr = CtrCommand(watch_commands, campaigns)
    # Two listeners on one parse (see ctr.parsed): only watch commands get a lazy follow-up,
    # because Bolt re-dispatches the whole request for a lazy listener, which would double
    # the cost of every plain /ctr answer.
    app.command("/ctr", matchers=[is_watch])(ack=ctr.checking, lazy=[ctr.follow_up])
    app.command("/ctr", matchers=[is_not_watch])(ctr.answer)
