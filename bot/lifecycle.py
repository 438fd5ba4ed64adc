"""ctr-bot running: start in order (local checks, port, Slack, the rest), serve, stop gracefully.

Stopping (SIGTERM or SIGINT) follows one deadline, SHUTDOWN_TIMEOUT seconds from the signal:
no new work is taken (the listening socket closes, the Socket Mode connection is dropped, the
weekly loops see ``stop``), requests in flight are answered, background replies (lazy
listeners such as ``/ctr watch``) finish, the current delivery step completes and its lease is
released, and a sync pass stops after the sheet in hand. Whatever is still unfinished at the
deadline is logged by name and count, and the leases it held (a summary being delivered, a
sheet being synced, a Drive listing: bot/weekly/held.py) are released, so another replica
takes them over at once rather than when they would run out.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app import create_app, make_client
from bot.compose import open_store
from bot.failures import slack_unreachable
from bot.health import HEALTH
from bot.oauth import INSTALL_PATH, installations
from bot.server import Routes, Server, database_probe
from bot.settings import Settings
from bot.slackprobe import slack_probe
from bot.startup import app_token_refused, check_all, local_problems, verify_bot_token
from bot.weekly.held import HELD
from core.errors import RemoteError
from sheets.api import metrics as sheets_metrics

log = logging.getLogger("bot")


class Work(ThreadPoolExecutor):
    """Bolt's executor for lazy listeners (replies after the ack), counting what's unfinished."""

    def __init__(self) -> None:
        super().__init__(max_workers=5, thread_name_prefix="lazy")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def drain(self, deadline: float) -> int:
        """Wait for submitted work until ``deadline`` (monotonic); returns how many remain."""
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending or time.monotonic() >= deadline:
                return len(pending)
            wait(pending, timeout=max(deadline - time.monotonic(), 0))


@dataclass
class Running:
    settings: Settings
    server: Server
    stop: threading.Event
    work: Work = field(default_factory=Work)
    threads: list[threading.Thread] = field(default_factory=list)
    socket: Any = None

    def shutdown(self) -> bool:
        """Everything in order, within one deadline; logs what was left; True if nothing was."""
        started = time.monotonic()
        deadline = started + self.settings.shutdown_timeout
        HEALTH.state = "stopping"
        self.stop.set()
        if self.socket is not None:
            self.socket.client.auto_reconnect_enabled = False
            self.socket.client.disconnect()
        self.server.close_listener()
        log.info("stopping", extra={"deadline_s": self.settings.shutdown_timeout})  # no new work
        requests = self.server.stop(deadline)
        replies = self.work.drain(deadline)
        for thread in self.threads:
            thread.join(timeout=max(deadline - time.monotonic(), 0))
        loops = [thread.name for thread in self.threads if thread.is_alive()]
        released = HELD.release_all()  # unfinished: another replica takes it over at once
        self.work.shutdown(wait=False, cancel_futures=True)
        if self.socket is not None:
            self.socket.close()
        left = {
            "requests": requests,
            "replies": replies,
            "loops": ",".join(loops) or "none",
            "released": "; ".join(released) or "none",
        }
        event = "stopped" if not (requests or replies or loops) else "stopped_with_work_left"
        log.info(event, extra={"took_s": round(time.monotonic() - started, 3), **left})
        return event == "stopped"


def start(settings: Settings, stop: threading.Event) -> Running:
    """Build and start everything, local checks first; raises CtrError on what can't start."""
    from bot.weekly.runtime import build_weekly  # noqa: PLC0415 - loads matplotlib, the store

    weekly_on = settings.sheets.credentials is not None
    problems = local_problems(settings, weekly=weekly_on)
    setting = "METRICS_PORT" if settings.socket_mode and settings.metrics_port else "PORT"
    routes = Routes(HEALTH)
    [server] = check_all(problems, lambda: Server(routes, "0.0.0.0", settings.health_port, setting))
    assert isinstance(server, Server)
    server.start()
    log.info("http_listening", extra={"port": server.port, "socket_mode": settings.socket_mode})
    client = make_client(settings)
    installs, store = None, None
    if settings.oauth is None:
        identity = verify_bot_token(client, stop=stop)
        log.info(
            "slack_ok", extra={"team": identity.get("team_id"), "bot": identity.get("user_id")}
        )
    else:  # no token of its own: each workspace's comes from its installation
        store = open_store(settings)
        installs = installations(
            settings.oauth, store.engine, lambda token: make_client(settings, token)
        )
        log.info("oauth_installs", extra={"install_path": INSTALL_PATH})
    weekly = build_weekly(settings, installs or client, store=store)
    running = Running(settings, server, stop)
    app = create_app(
        settings,
        client,
        weekly.commands if weekly else None,
        weekly.campaigns if weekly else None,
        listener_executor=running.work,
        installations=installs,
    )
    if weekly is None:
        log.info("weekly_summaries_off", extra={"reason": "GOOGLE_APPLICATION_CREDENTIALS unset"})
    else:
        HEALTH.probe("database", database_probe(weekly.store.engine), critical=True)
        HEALTH.probe("google", sheets_metrics.GOOGLE.reason)
        running.threads = weekly.start(stop)
        log.info("weekly_summaries_on", extra={"sync_every_min": settings.sync_interval_minutes})
    if settings.slack_app_token is not None:
        running.socket = _socket_mode(settings, app, client)
        HEALTH.probe("slack", lambda: _socket_health(running.socket), critical=True)
    else:
        HEALTH.probe("slack", slack_probe(settings))  # auth.test, at most once a minute
        routes.attach(app, settings.slack_signing_secret)
        log.info("http_events", extra={"port": server.port, "path": "/slack/events"})
    HEALTH.state = "serving"
    log.info("ready", extra={"mode": "socket" if settings.socket_mode else "http"})
    return running


def _socket_mode(settings: Settings, app: object, client: WebClient) -> Any:
    """Connect; our own apps.connections.open first, so a refused app token is one line."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler  # noqa: PLC0415

    assert settings.slack_app_token is not None
    try:
        url = client.apps_connections_open(app_token=settings.slack_app_token)["url"]
    except SlackApiError as error:
        raise app_token_refused(error) or error from None
    except OSError as error:
        raise slack_unreachable(error, settings.slack_api_url) from None
    handler = SocketModeHandler(app, settings.slack_app_token, web_client=client)  # type: ignore[arg-type]
    handler.client.wss_uri = url
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except Exception as error:  # the websocket library's own errors: no connection
        raise RemoteError(f"Can't open the Socket Mode connection to Slack: {error}.") from None
    if not handler.client.is_connected():
        raise RemoteError(
            "Can't open the Socket Mode connection to Slack: Slack accepted SLACK_APP_TOKEN "
            "but the websocket didn't connect. Check the network or a proxy; try again later."
        )
    log.info("socket_mode_connected")
    return handler


def _socket_health(handler: Any) -> str | None:
    return None if handler.client.is_connected() else "Socket Mode connection to Slack is down"
