""" "Share in channel": re-post an ephemeral answer for everyone, via the response_url."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond

from bot.blocks import shared_message
from core.grammar import Compare, Single, parse_command


def share_in_channel(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
) -> None:
    ack()
    # The button carries the typed text, not the numbers: recomputing from it is cheap and
    # means a forged button value is just another /ctr input, parsed and checked as one.
    command = parse_command(str(action.get("value", "")))
    if isinstance(command, Single | Compare):
        respond(**shared_message(command, body["user"]["id"]))
