""" "Share in channel": re-post an ephemeral answer for everyone, via the response_url."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk.errors import SlackApiError

from bot.blocks import error_message, shared_message, warning_message
from bot.weekly.campaigns import CampaignHistory
from bot.weekly.commands import Invocation
from core.errors import CtrError, InputError
from core.grammar import Command, Compare, Single, parse_command
from core.history_commands import TrendRequest, UsualRequest

log = logging.getLogger(__name__)
SORRY = "Sorry, I couldn't share that: something went wrong on my side. Please try again."
NOT_IN_CHANNEL = "I can't post in this channel yet: `/invite @CTR`, then share again."


def share_in_channel(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
) -> None:
    ack()
    # The button carries the typed text, not the numbers: recomputing from it is cheap and
    # means a forged button value is just another /ctr input, parsed and checked as one.
    command = parse_command(str(action.get("value", "")))
    if isinstance(command, Single | Compare):
        respond(**shared_message(command, body["user"]["id"]))


def _command(action: dict[str, Any]) -> Command | None:
    try:
        return parse_command(str(action.get("value", "")))
    except InputError:
        return None


def is_history_share(action: dict[str, Any]) -> bool:
    """Matcher: the button of a `… for <campaign>` or `trend` answer (a sheet read away)."""
    return isinstance(_command(action), UsualRequest | TrendRequest)


def is_plain_share(action: dict[str, Any]) -> bool:
    return not is_history_share(action)


def ack_only(ack: Ack) -> None:
    ack()


@dataclass(frozen=True)
class ShareHistory:
    """Shares a campaign-history answer after the ack (it reads the sheet again), and is its
    own error edge: lazy listeners run beyond the app's."""

    campaigns: CampaignHistory | None

    def __call__(self, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        command = _command(action)
        if not isinstance(command, UsualRequest | TrendRequest) or self.campaigns is None:
            return
        try:
            who = Invocation(
                (body.get("team") or {}).get("id") or body["user"].get("team_id", ""),
                body["channel"]["id"],
                body["user"]["id"],
                (body.get("enterprise") or {}).get("id"),
            )
            message = self.campaigns.share(command, who)
        except CtrError as error:
            respond(**error_message(str(error)))
            return
        except SlackApiError as error:  # a chart is uploaded into the channel by the bot
            if error.response.get("error") not in ("not_in_channel", "channel_not_found"):
                raise
            respond(**warning_message(NOT_IN_CHANNEL))  # our own words: the command as code
            return
        except Exception as error:  # this listener's edge: say so once, log the rest
            log.error("sharing %r failed", str(action.get("value", ""))[:200], exc_info=error)
            respond(**error_message(SORRY))
            return
        if message is not None:
            respond(**message)
