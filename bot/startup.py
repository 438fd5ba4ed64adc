"""Start-up checks: everything local first, all problems in one line; then Slack.

Local means what this machine alone decides: the settings (already checked when read), the
Google key file, the SQLite file's folder, and the port. None of them waits on a network, so a
bot started with Slack unreachable still says at once that its key file is missing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_interval_calculators import (
    BackoffRetryIntervalCalculator,
)

from bot import database_url
from bot.failures import REFUSED_TOKENS, slack_answer
from bot.settings import Settings
from core.errors import ConfigError, CtrError
from sheets.api import read_key

log = logging.getLogger(__name__)
# What Slack answers for a token it doesn't accept (auth.test and apps.connections.open):
# one list for every caller (bot/slackerrors.py).
REFUSED = REFUSED_TOKENS
MAX_WAIT = 60.0


def local_problems(settings: Settings, *, weekly: bool) -> list[str]:
    """What's wrong on this machine, every problem (no network is touched)."""
    problems: list[str] = []
    if weekly:
        key = settings.sheets.credentials
        assert key is not None
        try:
            read_key(key)
        except CtrError as error:
            problems.append(str(error))
    database = weekly or settings.oauth is not None  # OAuth mode keeps installations there
    if database and (problem := database_url.sqlite_file_problem(settings.database_url)):
        problems.append(problem)
    return problems


def check_all(problems: list[str], *more: Callable[[], object]) -> list[object]:
    """Run the ``more`` checks too (each may raise CtrError); raise one ConfigError for all."""
    results: list[object] = []
    for check in more:
        try:
            results.append(check())
        except CtrError as error:
            problems.append(error.render("ctr-bot"))
    if problems:
        raise ConfigError(" ".join(problems))
    return results


def verify_bot_token(
    client: WebClient,
    sleep: Callable[[float], None] = time.sleep,
    stop: threading.Event | None = None,
) -> dict[str, Any]:
    """auth.test until Slack answers: a refused token raises ConfigError, no answer is retried.

    Waits grow 1, 2, 4… seconds (slack_sdk's own backoff calculator), capped at a minute, and
    each is logged, so a bot started before the network is up comes up when it is. ``stop``
    (SIGTERM) ends the wait.
    """
    backoff = BackoffRetryIntervalCalculator(backoff_factor=1.0)
    attempt = 0
    while True:
        try:
            return dict(client.auth_test().data)  # type: ignore[arg-type]
        except SlackApiError as error:
            raise slack_answer(error) from None
        except OSError as error:  # urllib's URLError and socket errors: Slack not reachable
            wait = min(backoff.calculate_sleep_duration(attempt), MAX_WAIT)
            log.warning("slack_unreachable", extra={"retry_in_s": wait, "error": str(error)[:200]})
            if stop is not None and stop.wait(wait):
                raise Stopped from None
            if stop is None:
                sleep(wait)
            attempt += 1


class Stopped(Exception):
    """A signal asked ctr-bot to stop before it had started: a clean exit, not a failure."""


def app_token_refused(error: SlackApiError) -> ConfigError | None:
    """The one-line explanation when Socket Mode's apps.connections.open refused the token."""
    code = str(error.response.get("error"))
    if code not in REFUSED:
        return None
    return ConfigError(
        f"Slack refused SLACK_APP_TOKEN ({code}): generate an app-level token with the "
        "connections:write scope under Basic Information → App-Level Tokens "
        "(`ctr-bot docs slack`)."
    )
