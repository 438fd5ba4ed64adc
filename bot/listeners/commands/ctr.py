"""`/ctr …`: ack → parse → core → blocks, the answer riding in the ack itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, Respond

from bot.blocks import answer_message, help_message, notice_message
from bot.weekly.commands import Invocation, WatchCommands
from core.errors import CtrError
from core.grammar import Compare, Help, Single, parse_command

NO_WEEKLY = (
    "Weekly summaries aren't set up on this bot yet: its operator needs to configure "
    "GOOGLE_APPLICATION_CREDENTIALS (see docs/weekly.md)."
)


@dataclass(frozen=True)
class CtrCommand:
    watch_commands: WatchCommands | None

    def __call__(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        text = command.get("text") or ""
        parsed = parse_command(text)  # InputError → the app's error handler answers
        if isinstance(parsed, Help):
            ack(**help_message())
        elif isinstance(parsed, Single | Compare):
            ack(**answer_message(parsed, text))
        else:
            if self.watch_commands is None:
                raise CtrError(NO_WEEKLY)
            # Reading the sheet and Slack's user info can take longer than the 3 s an ack has.
            ack(**notice_message("Checking…"))
            who = Invocation(command["team_id"], command["channel_id"], command["user_id"])
            respond(**notice_message(self.watch_commands.run(parsed, who)))
