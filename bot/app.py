"""The composition root of the Slack app: one client, one App, listeners registered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot import listeners
from bot.blocks import warning_message
from bot.oauth import Installations, oauth_settings
from bot.settings import Settings
from bot.slacktext import error_text, literal
from bot.weekly.campaigns import CampaignHistory
from bot.weekly.commands import WatchCommands
from core.errors import CtrError

log = logging.getLogger(__name__)
SORRY = (
    "Sorry, something went wrong on my side while answering. It has been logged; please try again."
)


def make_client(settings: Settings, token: str | None = None) -> WebClient:
    """The Web API client, with slack_sdk's own retries for 429, 5xx and dropped connections:
    SLACK_BOT_TOKEN's, or (OAuth mode) ``token``'s, or a token-less one for oauth.v2.access."""
    return WebClient(
        token=token or settings.slack_bot_token or None,
        base_url=settings.slack_api_url,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=1),
        ],
    )


def create_app(
    settings: Settings,
    client: WebClient,
    watch_commands: WatchCommands | None = None,
    campaigns: CampaignHistory | None = None,
    *,
    listener_executor: Executor | None = None,
    installations: Installations | None = None,
) -> App:
    """Build the Bolt app; nothing happens at import time and nothing here does network I/O.

    ``listener_executor`` runs lazy listeners (replies after the ack): ctr-bot passes its own
    so a graceful stop can wait for them (bot/lifecycle.py). ``installations``: OAuth mode's
    (required when settings.oauth is set): each request runs with its workspace's token.
    """
    oauth: dict[str, Any] = {}
    if settings.oauth is not None:
        assert installations is not None, "OAuth mode needs the installations"
        found = installations
        config, authorize = oauth_settings(settings.oauth, found, client, found.installed)
        oauth = {
            "oauth_settings": config,
            "authorize": authorize,
            "installation_store_bot_only": True,
        }
    app = App(
        listener_executor=listener_executor,
        client=client,
        signing_secret=settings.slack_signing_secret or "socket-mode-unused",
        # No auth.test at construction: start-up must not depend on reaching Slack, and the
        # first real call reports a bad token clearly anyway.
        token_verification_enabled=False,
        # Signatures are checked once, by the request gate (bot/gate.py), before any HTTP
        # request reaches Bolt (bot/server.Routes is the only way in); Socket Mode has none.
        # Bolt checking again cost every /ctr a second HMAC and header parse.
        request_verification_enabled=False,
        # Answers ride in the ack, so run the listener before responding: without this Bolt
        # polls for the ack every 10 ms, adding ~10 ms to every /ctr. Slow follow-ups
        # (watch commands) are lazy listeners, which Bolt still runs after the response.
        process_before_response=True,
        **oauth,
    )
    app.middleware(IgnoreSlackRetries())
    app.error(handle_error)
    listeners.register(app, watch_commands, campaigns, installations)
    return app


class IgnoreSlackRetries(Middleware):
    """Slack re-sends a request it thinks timed out; the first one already answered it.

    A Middleware object rather than a function: Bolt inspects a function's parameters to
    build its arguments on every request, which cost more than the check itself.
    """

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        if req.headers.get("x-slack-retry-num"):
            return BoltResponse(status=200, body="")
        next()
        return resp


def handle_error(
    error: Exception, response: BoltResponse | None, respond: Any, body: dict[str, Any]
) -> BoltResponse | None:
    """The one edge for Slack: any failure becomes a polite ephemeral message and a log line."""
    if isinstance(error, CtrError):  # ours, on purpose: it says what to do
        text = error_text(error, "/ctr")
    else:
        log.exception("/ctr failed for %r", (body or {}).get("text", "")[:200], exc_info=error)
        text = literal(SORRY)
    message = warning_message(text)
    if response is None:  # already acknowledged: reply through response_url instead
        if respond is not None and (body or {}).get("response_url"):
            respond(**message)
        return None
    return BoltResponse(status=200, body=message, headers={"content-type": "application/json"})
