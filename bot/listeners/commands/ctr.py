"""`/ctr …`: ack → parse → core → blocks, the answer riding in the ack itself.

The text is parsed once per request (kept in the Bolt context, which Bolt copies to lazy
listeners). Watch commands need Slack and Google round trips that may outlast the 3 s an
ack has, so their ack says "Checking…" and a lazy listener replies once, later, whatever
happens; every other command, and every text that doesn't parse, is answered in the ack.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext, BoltRequest, BoltResponse, Respond
from slack_bolt.middleware import Middleware
from slack_sdk.errors import SlackClientError

from bot.blocks import (
    answer_message,
    error_message,
    help_message,
    notice_message,
    warning_message,
)
from bot.metrics import CTR_SECONDS
from bot.slackerrors import Remedy, classify
from bot.slacktext import error_text, literal
from bot.weekly.campaigns import CampaignHistory
from bot.weekly.commands import Invocation, WatchCommands
from core.errors import CtrError, InputError
from core.grammar import Command, Compare, Help, Single, parse_command
from core.history_commands import HistoryCommand, TrendRequest, UsualRequest
from core.watching import (
    StatusRequest,
    UnwatchRequest,
    WatchCommand,
    WatchingRequest,
    WatchRequest,
)
from sheets.api import SheetAccessError, SheetsApiError

log = logging.getLogger(__name__)

NO_WEEKLY = (
    "Weekly summaries aren't set up on this bot yet: its operator needs to configure "
    "GOOGLE_APPLICATION_CREDENTIALS (see `ctr-bot docs weekly`)."
)
SLACK_FAILED = (
    "Sorry, Slack failed while I checked ({code}), so nothing was changed. "
    "Please try again in a minute."
)
GOOGLE_FAILED = (
    "Sorry, Google Sheets didn't answer when I opened the sheet, so nothing was changed. "
    "Please try again in a minute; if it keeps failing, check the link opens for you."
)
INTERNAL = (
    "Sorry, something went wrong on my side, so nothing was changed. It has been logged; "
    "please try again, and tell the bot's operator if it keeps happening."
)
_PARSED = "ctr_parsed"  # context key: what the text parsed to, or the InputError it raised
_STARTED = "ctr_started"  # context key: perf_counter() when /ctr began to be handled
WATCH_TYPES = (WatchRequest, UnwatchRequest, WatchingRequest, StatusRequest)
# Commands that read Slack or Google before answering: "Checking…", then a lazy reply.
SLOW_TYPES = (*WATCH_TYPES, UsualRequest, TrendRequest)


def parsed(context: BoltContext, command: dict[str, Any]) -> Command | InputError:
    """The command's text parsed once per request; the routes and listeners share it."""
    if _PARSED not in context:
        try:
            context[_PARSED] = parse_command(command.get("text") or "")
        except InputError as error:
            context[_PARSED] = error
    result: Command | InputError = context[_PARSED]
    return result


class Route(Middleware):
    """Picks one of /ctr's two listeners: the slow (watch and history) commands or the rest.

    A listener middleware rather than a matcher function: Bolt builds a matcher's arguments
    by inspecting its parameters on every request, which cost more than the parse. Without
    ``next()`` Bolt moves on to the next listener.
    """

    def __init__(self, *, slow: bool) -> None:
        self.slow = slow

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        req.context.setdefault(_STARTED, time.perf_counter())
        if isinstance(parsed(req.context, req.body), SLOW_TYPES) != self.slow:
            return None
        next()
        return resp


def _answered(context: BoltContext) -> None:
    CTR_SECONDS.observe(time.perf_counter() - context.get(_STARTED, time.perf_counter()))


@dataclass(frozen=True)
class CtrCommand:
    watch_commands: WatchCommands | None
    campaigns: CampaignHistory | None = None

    def answer(self, ack: Ack, context: BoltContext, command: dict[str, Any]) -> None:
        """The whole answer in the ack; an InputError goes to the app's error handler."""
        result = parsed(context, command)
        try:
            if isinstance(result, InputError):
                raise result
            if isinstance(result, Help):
                ack(**help_message())
            elif isinstance(result, Single | Compare):
                ack(**answer_message(result, command.get("text") or ""))
            else:  # unreachable: watch commands are routed to the other listener
                raise CtrError(NO_WEEKLY)
        finally:
            _answered(context)

    def checking(self, ack: Ack, context: BoltContext) -> None:
        """The ack of a watch command: the lazy follow_up replies once it is done."""
        if self.watch_commands is None:
            ack(**error_message(NO_WEEKLY))
        else:
            ack(**notice_message("Checking…"))
        _answered(context)

    def follow_up(self, context: BoltContext, command: dict[str, Any], respond: Respond) -> None:
        """After the ack: carry out the watch command and reply exactly once, come what may
        (this runs beyond the app's error edge, so it is its own)."""
        result = parsed(context, command)
        if self.watch_commands is None or not isinstance(result, SLOW_TYPES):
            return
        respond(**self._reply(result, command))

    def _reply(
        self, request: WatchCommand | HistoryCommand, command: dict[str, Any]
    ) -> dict[str, Any]:
        assert self.watch_commands is not None
        who = Invocation(
            command["team_id"],
            command["channel_id"],
            command["user_id"],
            command.get("enterprise_id") or None,
        )
        try:
            if isinstance(request, UsualRequest | TrendRequest):
                if self.campaigns is None:
                    raise CtrError(NO_WEEKLY)
                return self.campaigns.answer(request, who, command.get("text") or "")
            return notice_message(self.watch_commands.run(request, who))
        except Exception as error:  # this listener's edge: one reply, whatever went wrong
            return warning_message(_explain(error, type(request).__name__))


def _explain(error: Exception, what: str) -> str:
    """What the person reads when a watch command failed (mrkdwn, user text inert): the
    refusal, or an apology."""
    if isinstance(error, CtrError):
        return _refusal(error, what)
    return literal(_apology(error, what))


def _refusal(error: CtrError, what: str) -> str:
    if isinstance(error, SheetsApiError) and not isinstance(error, SheetAccessError):
        log.warning("/ctr %s: Google failed: %s", what, error)
        return literal(GOOGLE_FAILED)
    return error_text(error, "/ctr")


def _apology(error: Exception, what: str) -> str:
    if isinstance(error, SlackClientError):
        log.warning("/ctr %s: Slack failed: %s", what, error)
        problem = classify(error)
        if problem.remedy is Remedy.RETRY:
            return SLACK_FAILED.format(code=problem.code)
        return f"{problem.what}. Nothing was changed."
    log.error("/ctr %s failed", what, exc_info=error)
    return INTERNAL
