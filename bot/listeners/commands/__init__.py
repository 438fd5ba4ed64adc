"""Slash-command listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.commands.ctr import CtrCommand, Route
from bot.weekly.campaigns import CampaignHistory
from bot.weekly.commands import WatchCommands


def register(
    app: App, watch_commands: WatchCommands | None, campaigns: CampaignHistory | None = None
) -> None:
    ctr = CtrCommand(watch_commands, campaigns)
    # Two listeners on one parse (see ctr.parsed): only watch commands get a lazy follow-up,
    # because Bolt re-dispatches the whole request for a lazy listener, which would double
    # the cost of every plain /ctr answer. The common one first: Bolt stops at the first
    # listener whose route takes the request.
    app.command("/ctr", middleware=[Route(slow=False)])(ctr.answer)
    app.command("/ctr", middleware=[Route(slow=True)])(ack=ctr.checking, lazy=[ctr.follow_up])
