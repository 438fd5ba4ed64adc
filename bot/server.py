"""ctr-bot's HTTP server (waitress), in both modes: /healthz and /metrics always, and in HTTP
mode POST /slack/events to Bolt, behind the request gate (bot/gate.py).

The port is bound first, before anything remote is tried, so "port in use" is reported with
the other local problems; Bolt is attached once built. Stopping is graceful: the listening
socket closes (new connections are refused at once), requests in flight are answered, and
whatever is still running at the deadline is reported.

/healthz reads the process's health registry, ``HEALTH`` (bot/health.py, re-exported here):
any part of the bot reports its state with ``HEALTH.report("drive", reason_or_None)``.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot.failures import port_failure
from bot.gate import MAX_BODY, Refusal, Verifier, refusal
from bot.health import HEALTH, Health
from bot.oauth import INSTALL_PATH, REDIRECT_PATH

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
__all__ = ["EVENTS_PATH", "HEALTH", "Routes", "Server", "database_probe", "serve", "wsgi_app"]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Routes:
    """The WSGI app: health and metrics from the start, Slack events once ``attach``ed."""

    def __init__(self, health: Health = HEALTH) -> None:
        self.health = health
        self._bolt: SlackRequestHandler | None = None
        self._verifier: Verifier | None = None

    def attach(self, app: App, signing_secret: str | None) -> None:
        """Serve Slack's events with ``app``; None secret: Socket Mode (no HTTP events)."""
        self._verifier = Verifier(signing_secret) if signing_secret else None
        self._bolt = SlackRequestHandler(app)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        reading = environ.get("REQUEST_METHOD") in ("GET", "HEAD")
        if path == "/healthz" and reading:
            healthy, body = self.health.status()  # bot/health.py: what is failing, and why
            status = "200 OK" if healthy else "503 Service Unavailable"
            return _reply(start_response, status, json.dumps(body).encode(), "application/json")
        if path == "/metrics" and reading:
            return _reply(start_response, "200 OK", generate_latest(), CONTENT_TYPE_LATEST)
        if path == EVENTS_PATH and self._bolt is not None:
            return self._event(environ, start_response, self._bolt)
        if path in (INSTALL_PATH, REDIRECT_PATH) and reading and self._bolt is not None:
            # A person's browser, not Slack: unsigned by nature; the OAuth state (single use,
            # bound to this browser by a cookie) is what Bolt checks. 404 in one-workspace mode.
            return self._bolt(environ, start_response)
        return _reply(start_response, "404 Not Found", b"not found\n", "text/plain")

    def _event(
        self, environ: dict[str, Any], start_response: Callable[..., Any], bolt: Any
    ) -> Iterable[bytes]:
        body = _body(environ)
        refused = (
            Refusal("413 Content Too Large", "body too large")
            if body is None
            else refusal(
                self._verifier,
                body,
                environ.get("CONTENT_TYPE", ""),
                environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
                environ.get("HTTP_X_SLACK_SIGNATURE"),
            )
        )
        if refused is not None:
            log.debug("request_refused", extra={"status": refused.status, "why": refused.reason})
            reply = (refused.reason + "\n").encode()
            return _reply(start_response, refused.status, reply, "text/plain")
        assert body is not None
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return bolt(environ, start_response)  # type: ignore[no-any-return]


def wsgi_app(
    app: App | None, database: Engine | None = None, health: Health | None = None
) -> Routes:
    """The routes for ``app`` (HTTP mode), with ``database`` probed on /healthz."""
    routes = Routes(health or Health(parent=HEALTH))  # the process's reported parts count
    if database is not None:
        routes.health.probe("database", database_probe(database), critical=True)
    if app is not None:
        routes.attach(app, app._signing_secret)  # the secret the app was built with
    routes.health.state = "serving"
    return routes


def database_probe(database: Engine) -> Callable[[], str | None]:
    def check() -> str | None:
        try:
            with database.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as error:
            return f"database unreachable: {str(error).splitlines()[0][:200]}"
        return None

    return check


def _body(environ: dict[str, Any]) -> bytes | None:
    """The request body, at most MAX_BODY bytes (None beyond); a bad length reads as empty."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        return None
    return bytes(environ["wsgi.input"].read(max(length, 0))) if length > 0 else b""


def _reply(
    start_response: Callable[..., Any], status: str, body: bytes, content_type: str
) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


class Server:
    """waitress on ``port``, bound at construction, run in a thread, stopped gracefully."""

    def __init__(
        self, routes: Routes, host: str, port: int, setting: str = "PORT", threads: int = 16
    ) -> None:
        import waitress  # noqa: PLC0415 - only a running bot needs it

        try:
            self._server: Any = waitress.create_server(  # type: ignore[attr-defined]
                routes,
                host=host,
                port=port,
                threads=threads,
                ident="ctr-bot",
                max_request_body_size=MAX_BODY,
            )
        except OSError as error:
            raise port_failure(error, port, setting) from None
        self.port = int(self._server.effective_port)
        self._thread = threading.Thread(target=self._server.run, name="http", daemon=True)
        self._listening, self._closed = threading.Event(), threading.Event()
        self._listening.set()

    def start(self) -> None:
        self._thread.start()

    def close_listener(self) -> None:
        """Refuse new connections from now on (connections already open are still served)."""
        if self._listening.is_set():
            self._server.trigger.pull_trigger(self._close_listener)
            self._closed.wait(timeout=5)

    def _close_listener(self) -> None:  # in the server's loop thread, like all its socket work
        self._server.accepting = False
        self._server.del_channel()
        self._server.socket.close()
        self._listening.clear()
        self._closed.set()

    def stop(self, deadline: float, clock: Callable[[], float] = time.monotonic) -> int:
        """Answer the requests in flight until ``deadline`` (a ``clock`` time), then close
        everything; returns how many requests were still unanswered then."""
        self.close_listener()
        while (busy := self._busy()) and clock() < deadline:
            time.sleep(0.02)  # waitress has no "drained" event; a short poll, production only
        self._server.trigger.pull_trigger(self._close_all)
        self._thread.join(timeout=max(deadline - clock(), 1))
        self._server.task_dispatcher.shutdown(timeout=max(deadline - clock(), 0.1))
        return busy

    def _busy(self) -> int:
        channels = list(self._server.active_channels.values())
        return sum(1 for channel in channels if channel.requests or channel.total_outbufs_len)

    def _close_all(self) -> None:
        for channel in list(self._server._map.values()):
            channel.close()


def serve(
    app: App, host: str, port: int, database: Engine | None = None, threads: int = 16
) -> None:
    """Serve ``app`` until interrupted (the benchmark's entry)."""
    import waitress  # noqa: PLC0415

    waitress.serve(wsgi_app(app, database), host=host, port=port, threads=threads, ident="ctr-bot")
