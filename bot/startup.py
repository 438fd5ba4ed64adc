"""Start-up checks: a wrong token stops ctr-bot in one line, an unreachable Slack is waited for."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_interval_calculators import (
    BackoffRetryIntervalCalculator,
)

from bot.slackerrors import TOKEN_REFUSED
from core.errors import ConfigError

log = logging.getLogger(__name__)
# What Slack answers for a token it doesn't accept (auth.test and apps.connections.open):
# one list for every caller.
REFUSED = TOKEN_REFUSED
MAX_WAIT = 60.0


def verify_bot_token(
    client: WebClient, sleep: Callable[[float], None] = time.sleep
) -> dict[str, Any]:
    """auth.test until Slack answers: a refused token raises ConfigError, no answer is retried.

    Waits grow 1, 2, 4… seconds (slack_sdk's own backoff calculator), capped at a minute, and
    each is logged, so a bot started before the network is up comes up when it is.
    """
    backoff = BackoffRetryIntervalCalculator(backoff_factor=1.0)
    attempt = 0
    while True:
        try:
            return dict(client.auth_test().data)  # type: ignore[arg-type]
        except SlackApiError as error:
            code = str(error.response.get("error"))
            if code in REFUSED:
                raise ConfigError(
                    f"Slack refused SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token "
                    "(xoxb-…) from the app's OAuth & Permissions page (docs/slack.md)."
                ) from None
            raise
        except OSError as error:  # urllib's URLError and socket errors: Slack not reachable
            wait = min(backoff.calculate_sleep_duration(attempt), MAX_WAIT)
            log.warning("slack_unreachable", extra={"retry_in_s": wait, "error": str(error)[:200]})
            sleep(wait)
            attempt += 1


def app_token_refused(error: SlackApiError) -> ConfigError | None:
    """The one-line explanation when Socket Mode's apps.connections.open refused the token."""
    code = str(error.response.get("error"))
    if code not in REFUSED:
        return None
    return ConfigError(
        f"Slack refused SLACK_APP_TOKEN ({code}): generate an app-level token with the "
        "connections:write scope under Basic Information → App-Level Tokens (docs/slack.md)."
    )
