"""`/ctr …`: ack → parse → core → blocks, the answer riding in the ack itself.

Watch commands need Slack and Google round trips that may outlast the 3 s an ack has, so
their ack says "Checking…" and a lazy listener (run by Bolt after the ack) replies later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, Respond

from bot.blocks import answer_message, error_message, help_message, notice_message
from bot.weekly.commands import Invocation, WatchCommands
from core.errors import CtrError, InputError
from core.grammar import Compare, Help, Single, parse_command

NO_WEEKLY = (
    "Weekly summaries aren't set up on this bot yet: its operator needs to configure "
    "GOOGLE_APPLICATION_CREDENTIALS (see docs/weekly.md)."
)


@dataclass(frozen=True)
class CtrCommand:
    watch_commands: WatchCommands | None

    def answer(self, ack: Ack, command: dict[str, Any]) -> None:
        """The ack: the whole answer, or "Checking…" for a watch command (follow_up replies)."""
        parsed = parse_command(command.get("text") or "")  # InputError → the error handler
        if isinstance(parsed, Help):
            ack(**help_message())
        elif isinstance(parsed, Single | Compare):
            ack(**answer_message(parsed, command.get("text") or ""))
        elif self.watch_commands is None:
            raise CtrError(NO_WEEKLY)
        else:
            ack(**notice_message("Checking…"))

    def follow_up(self, command: dict[str, Any], respond: Respond) -> None:
        """After the ack: carry out a watch command and reply through the response_url."""
        if self.watch_commands is None:
            return
        try:
            parsed = parse_command(command.get("text") or "")
            if isinstance(parsed, Help | Single | Compare):
                return
            who = Invocation(command["team_id"], command["channel_id"], command["user_id"])
            respond(**notice_message(self.watch_commands.run(parsed, who)))
        except InputError as error:  # this runs after the ack, beyond the app's error edge
            respond(**error_message(error.render("/ctr")))
        except CtrError as error:
            respond(**error_message(str(error)))
