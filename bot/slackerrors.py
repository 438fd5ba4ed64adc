"""Slack's errors sorted by what someone can do about them: one classification for every caller
(the weekly scheduler, the watch commands' replies, the start-up checks' wording)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.error import URLError

from slack_sdk.errors import SlackApiError, SlackClientError, SlackRequestError


class Remedy(StrEnum):
    """Who can fix it."""

    OPERATOR = "operator"  # the bot's token or app: only its operator can fix it
    CHANNEL = "channel"  # someone in the channel must act (invite the bot, un-archive)
    PERSON = "person"  # the person who typed the command can't be checked or reached
    RETRY = "retry"  # Slack hiccupped: trying again later may work


@dataclass(frozen=True, slots=True)
class SlackProblem:
    code: str
    remedy: Remedy
    what: str  # for the person who reads it, without the fix's channel-specific parts


# A token Slack doesn't accept: the one list, for start-up checks (bot/startup.py,
# bot/failures.py) and for the scheduler (the operator's to fix: never retried, no DM sent
# with the token Slack just refused).
_TOKEN_REFUSED = {
    "invalid_auth": "Slack refused the bot's token (invalid_auth)",
    "token_revoked": "Slack refused the bot's token: it was revoked (token_revoked)",
    "account_inactive": "Slack refused the bot's token: its app was removed (account_inactive)",
    "not_authed": "Slack refused the bot's request: no token (not_authed)",
    "token_expired": "Slack refused the bot's token: it expired (token_expired)",
    "not_allowed_token_type": "Slack refused the token: the wrong kind (not_allowed_token_type)",
}
TOKEN_REFUSED = frozenset(_TOKEN_REFUSED)
_OPERATOR = _TOKEN_REFUSED | {
    "missing_scope": "The bot lacks a permission it needs (missing_scope): reinstall the app "
    "from manifest.yml",
    "ekm_access_denied": "Slack's key management denied the bot access (ekm_access_denied)",
}
_CHANNEL = {
    "not_in_channel": "I'm not a member of that channel",
    "channel_not_found": "That channel no longer exists or I can't see it",
    "is_archived": "That channel was archived",
    "restricted_action": "Posting in that channel is restricted to some members",
    "cannot_dm_bot": "I can't post in a direct message with another bot",
}
_PERSON = {
    "user_not_found": "I can't check who you are (Slack doesn't know you here): ask a "
    "member of this workspace to run the command",
    "user_not_visible": "I can't check who you are: ask a member of this workspace to run "
    "the command",
    "user_disabled": "That Slack account is deactivated",
}


def classify(error: SlackClientError | URLError | str) -> SlackProblem:
    """What a Slack failure means for whoever reads about it.

    >>> classify("user_not_found").remedy
    <Remedy.PERSON: 'person'>
    >>> classify("ratelimited").remedy
    <Remedy.RETRY: 'retry'>
    """
    code = _code(error)
    for table, remedy in ((_OPERATOR, Remedy.OPERATOR), (_CHANNEL, Remedy.CHANNEL)):
        if code in table:
            return SlackProblem(code, remedy, table[code])
    if code in _PERSON:
        return SlackProblem(code, Remedy.PERSON, _PERSON[code])
    if code == "upload_failed":
        return SlackProblem(code, Remedy.RETRY, "Slack didn't take the chart's upload")
    return SlackProblem(code, Remedy.RETRY, f"Slack answered {code}")


def _code(error: SlackClientError | URLError | str) -> str:
    if isinstance(error, str):
        return error
    if isinstance(error, SlackApiError):
        return str(error.response.get("error", "") or "error")
    if isinstance(error, SlackRequestError | URLError):
        # files_upload_v2 PUTs the bytes (its step 2) with urllib: a refused PUT raises
        # HTTPError (a URLError), a non-200 one SlackRequestError. Either is the same kind
        # of trouble as its two API calls failing.
        return "upload_failed"
    return "connection_failed"
