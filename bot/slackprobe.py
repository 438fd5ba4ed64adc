"""/healthz's Slack part in HTTP mode: does Slack still take our token? (auth.test, cached).

In Socket Mode the open connection says whether Slack is there; over HTTP nothing does until
a user's command fails, so /healthz asks auth.test, the cheapest Web API call, at most once a
minute however often a load balancer polls, with a short timeout and no retries (a probe that
waits 30 s helps nobody). Slack failing is the same for every replica, so the part is not
critical: /healthz says "degraded" with the reason and stays 200 (bot/health.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.failures import slack_answer, slack_unreachable
from bot.health import Probe
from bot.settings import Settings

EVERY = 60.0  # seconds between two asks
TIMEOUT = 5  # seconds an ask may take


def slack_probe(settings: Settings) -> Probe:
    """The probe /healthz calls: None while Slack takes the bot token, else why not."""
    client = WebClient(
        token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=TIMEOUT
    )

    def check() -> str | None:
        try:
            client.auth_test()
        except SlackApiError as error:
            return slack_answer(error).render("ctr-bot")
        except OSError as error:  # urllib's URLError, timeouts, refused connections
            return slack_unreachable(error, settings.slack_api_url).render("ctr-bot")
        return None

    return Cached(check, EVERY)


class Cached:
    """``check`` asked at most once per ``every`` seconds; between asks, its last answer.

    One ask at a time: a /healthz arriving during an ask waits for its answer rather than
    starting another.
    """

    def __init__(
        self, check: Probe, every: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._check, self._every, self._clock = check, every, clock
        self._lock = threading.Lock()
        self._asked: float | None = None
        self._answer: str | None = None

    def __call__(self) -> str | None:
        with self._lock:
            now = self._clock()
            if self._asked is None or now - self._asked >= self._every:
                self._answer = self._check()
                self._asked = self._clock()
            return self._answer
